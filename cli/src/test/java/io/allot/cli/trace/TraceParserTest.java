package io.allot.cli.trace;

import io.allot.Range;
import io.allot.Request;
import io.allot.cli.workload.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraceParserTest {

    @Test
    void everyVerbAndOptionIsRead() {
        Trace trace = TraceParser.parse("t.txt", """
                # a comment line
                quantum 0x10            # trailing comment
                span 0x1000 0x1_ffff
                	
                alloc a 4K align=4K phase=0x10 nocross=64K min=0x1000 max=0xffff tag="virtio net #0"
                reserve r 0x8000 0x8fff tag=plain
                realloc a 8k tag=moved
                free r
                span 0x20000 0x2ffff
                alloc r 0x10
                free a
                """);
        assertEquals("t.txt", trace.source());
        assertEquals(0x10, trace.quantum());
        assertEquals(List.of(Range.of(0x1000, 0x1ffff)), trace.spans());
        List<Op> ops = trace.ops();
        assertEquals(7, ops.size());
        Op.Alloc alloc = assertInstanceOf(Op.Alloc.class, ops.get(0));
        assertEquals(new Request(4096, 4096, 0x10, 65536, 0x1000, 0xffff, "virtio net #0"), alloc.request());
        assertEquals(5, alloc.line());
        Op.Reserve reserve = assertInstanceOf(Op.Reserve.class, ops.get(1));
        assertEquals(Range.of(0x8000, 0x8fff), reserve.range());
        assertEquals("plain", reserve.tag());
        Op.Realloc realloc = assertInstanceOf(Op.Realloc.class, ops.get(2));
        assertEquals(Request.of(8192).tagged("moved"), realloc.request());
        assertEquals(alloc.slot(), realloc.slot());
        assertInstanceOf(Op.Free.class, ops.get(3));
        assertEquals(Range.of(0x20000, 0x2ffff), assertInstanceOf(Op.AddSpan.class, ops.get(4)).span());
        Op.Alloc again = assertInstanceOf(Op.Alloc.class, ops.get(5));
        assertEquals(reserve.slot(), again.slot(), "a freed name is used again with its slot");
        assertNull(again.request().tag());
        assertEquals(List.of("a", "r"), trace.names());
    }

    @Test
    void numbersAtTheTopOfTheSpace() {
        Trace trace = TraceParser.parse("t", """
                span 0xffff_ffff_ffff_f000 0xffffffffffffffff
                alloc top 4K max=18446744073709551615
                reserve last 0xffffffffffffffff 0xffffffffffffffff
                """);
        assertEquals(Range.of(0xffff_ffff_ffff_f000L, -1L), trace.spans().get(0));
        assertEquals(-1L, ((Op.Alloc) trace.ops().get(0)).request().max());
        assertEquals(Range.of(-1L, -1L), ((Op.Reserve) trace.ops().get(1)).range());
    }

    @Test
    void quotedTagsKeepSpacesHashesAndEscapes() {
        Trace trace = TraceParser.parse("t", "span 0 99\nalloc a 1 tag=\"a \\\"quoted\\\" # and \\\\ slash\"\nalloc b 1 tag=\"\"\n");
        assertEquals("a \"quoted\" # and \\ slash", ((Op.Alloc) trace.ops().get(0)).request().tag());
        assertEquals("", ((Op.Alloc) trace.ops().get(1)).request().tag());
    }

    /** Each class of malformed line, the line it is on, and what the message must say. */
    static Stream<Arguments> malformed() {
        String head = "# header\nspan 0 0xffff\n";                     // ops below start at line 3
        return Stream.of(
                Arguments.of("unknown verb", head + "allocate a 4\n", 3, "unknown verb \"allocate\""),
                Arguments.of("bad number", head + "alloc a 12x\n", 3, "bad size \"12x\""),
                Arguments.of("bad hex", head + "alloc a 0xfz\n", 3, "bad size \"0xfz\""),
                Arguments.of("bad option value", head + "alloc a 4 max=4G2\n", 3, "bad max= value \"4G2\""),
                Arguments.of("negative", head + "alloc a -4\n", 3, "bad size \"-4\""),
                Arguments.of("empty prefix", head + "alloc a 0x\n", 3, "bad size \"0x\""),
                Arguments.of("stray underscore", head + "alloc a 4__0\n", 3, "bad size \"4__0\""),
                Arguments.of("too large", head + "alloc a 0x1_0000_0000_0000_0000\n", 3, "larger than 2^64-1"),
                Arguments.of("suffix overflow", head + "alloc a 16777216T\n", 3, "larger than 2^64-1"),
                Arguments.of("missing size", head + "alloc a\n", 3, "missing <size>"),
                Arguments.of("missing name", head + "alloc\n", 3, "missing <name>"),
                Arguments.of("option for a name", head + "alloc align=4 4\n", 3, "missing <name>"),
                Arguments.of("missing end", head + "reserve r 0x10\n", 3, "missing <end>"),
                Arguments.of("free without name", head + "free\n", 3, "missing <name>"),
                Arguments.of("span with one number", "span 0\n", 1, "missing <end>"),
                Arguments.of("quantum without value", "quantum\n", 1, "missing <q>"),
                Arguments.of("extra argument", head + "alloc a 4\nfree a b\n", 4, "unexpected argument \"b\""),
                Arguments.of("stray word", head + "alloc a 4 big\n", 3, "unexpected argument \"big\""),
                Arguments.of("extra span number", "span 0 1 2\n", 1, "unexpected argument \"2\""),
                Arguments.of("unknown option", head + "alloc a 4 colour=red\n", 3, "unknown option \"colour=\""),
                Arguments.of("option not for reserve", head + "reserve r 0 0xf align=4\n", 3,
                        "option align= does not apply to reserve"),
                Arguments.of("option twice", head + "alloc a 4 align=4 align=8\n", 3, "option align= given twice"),
                Arguments.of("option without value", head + "alloc a 4 align=\n", 3, "missing value for align="),
                Arguments.of("zero size", head + "alloc a 0\n", 3, "size 0 must be >= 1"),
                Arguments.of("alignment not a power of two", head + "alloc a 4 align=3\n", 3,
                        "alignment 0x3 is not a power of two"),
                Arguments.of("phase not below alignment", head + "alloc a 4 align=4 phase=4\n", 3,
                        "phase 0x4 must be < alignment 0x4"),
                Arguments.of("no-cross below size", head + "alloc a 8K nocross=4K\n", 3, "noCross 0x1000 must be >= size"),
                Arguments.of("window upside down", head + "alloc a 4 min=0x20 max=0x10\n", 3, "min 0x20 must be <= max 0x10"),
                Arguments.of("phase off the quantum", "quantum 16\nspan 0 0xffff\nalloc a 4 align=64 phase=8\n", 3,
                        "phase 0x8 is not a multiple of the quantum 0x10"),
                Arguments.of("unknown name", head + "free ghost\n", 3, "unknown name \"ghost\""),
                Arguments.of("freed name", head + "alloc a 4\nfree a\nfree a\n", 5, "name \"a\" was freed at line 4"),
                Arguments.of("realloc of a freed name", head + "alloc a 4\nfree a\nrealloc a 8\n", 5,
                        "name \"a\" was freed at line 4"),
                Arguments.of("reused name", head + "alloc a 4\nalloc a 8\n", 4,
                        "name \"a\" is already live (allocated at line 3)"),
                Arguments.of("reserve reuses a live name", head + "alloc a 4\nreserve a 0x100 0x1ff\n", 4,
                        "name \"a\" is already live"),
                Arguments.of("name with a space", head + "alloc \"a b\" 4\n", 3, "must not contain"),
                Arguments.of("quantum after a span", "span 0 0xff\nquantum 16\n", 2,
                        "quantum must come before the first span and the first operation"),
                Arguments.of("quantum twice", "quantum 16\nquantum 32\n", 2, "quantum is already set, at line 1"),
                Arguments.of("quantum not a power of two", "quantum 24\n", 1, "quantum 0x18 is not a power of two"),
                Arguments.of("span overlaps a span", "span 0 0xff\nspan 0x80 0x1ff\n", 2,
                        "span [0x80, 0x1ff] overlaps span [0x0, 0xff] (line 1)"),
                Arguments.of("span off the quantum", "quantum 16\nspan 8 0xff\n", 2,
                        "span [0x8, 0xff] is not on quantum 0x10 boundaries"),
                Arguments.of("span upside down", "span 0x10 0x1\n", 1, "range start 0x10 is above its end 0x1"),
                Arguments.of("the whole 64-bit space", "span 0 0xffffffffffffffff\n", 1, "holds 2^64 values"),
                Arguments.of("spans adding up to 2^64", "span 0 0x7fffffffffffffff\nspan 0x8000000000000000 -1\n", 2,
                        "bad end \"-1\""),
                Arguments.of("reserve outside every span", head + "reserve r 0xff00 0x1_00ff\n", 3,
                        "reserve [0xff00, 0x100ff] is not inside one span"),
                Arguments.of("reserve off the quantum", "quantum 16\nspan 0 0xffff\nreserve r 4 0x13\n", 3,
                        "reserve [0x4, 0x13] is not on quantum 0x10 boundaries"),
                Arguments.of("operation before any span", "# nothing yet\nalloc a 4\n", 2, "no span before the first operation"),
                Arguments.of("no span at all", "# only\n# comments\n", 2, "no span"),
                Arguments.of("empty file", "", 1, "no span"),
                Arguments.of("unterminated quote", head + "alloc a 4 tag=\"open\n", 3, "unterminated quote"),
                Arguments.of("unpaired surrogate tag", head + "alloc a 4 tag=\uD800x\n", 3, "surrogate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedLineIsReportedWithItsNumber(String what, String text, int line, String message) {
        TraceException e = assertThrows(TraceException.class, () -> TraceParser.parse("trace.txt", text));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.detail().contains(message), "expected \"" + message + "\" in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("trace.txt:" + line + ": "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line");
    }

    @Test
    void spansAddingUpToAllOfTheSpaceAreRefused() {
        TraceException e = assertThrows(TraceException.class, () -> TraceParser.parse("t",
                "span 0 0x7fffffffffffffff\nspan 0x8000000000000000 0xffffffffffffffff\n"));
        assertEquals(2, e.line());
        assertTrue(e.detail().contains("2^64 or more values"), e.getMessage());
    }

    @Test
    void everyBundledWorkloadLineIsWrittenBackAsItWasRead() {
        for (Workload workload : Workload.values()) {
            String text = workload.text(7);
            Trace trace = TraceParser.parse(workload.id(), text);
            List<String> lines = text.lines().toList();
            for (Op op : trace.ops()) {
                assertEquals(lines.get(op.line() - 1), TraceWriter.line(op, trace), workload.id() + " line " + op.line());
            }
        }
    }
}
