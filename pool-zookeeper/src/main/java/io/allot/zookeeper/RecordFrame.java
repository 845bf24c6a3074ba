package io.allot.zookeeper;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The framing of every node Allot writes under a pool: a 4-byte magic naming the kind of node
 * ({@code ALP} + one letter), a format version byte, the payload, and a CRC32C of all that. A node
 * that does not open cleanly is foreign or corrupt, and the pool refuses it naming the node, rather
 * than guess. Payload integers are unsigned LEB128 varints; strings are length-prefixed UTF-8.
 */
final class RecordFrame {

    static final int VERSION = 1;
    private static final int TRAILER = 4;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(64);

    private RecordFrame(char kind) {
        out.write('A');
        out.write('L');
        out.write('P');
        out.write(kind);
        out.write(VERSION);
    }

    /** Starts a node of {@code kind}. */
    static RecordFrame start(char kind) {
        return new RecordFrame(kind);
    }

    RecordFrame varint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    RecordFrame string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        varint(bytes.length);
        out.write(bytes, 0, bytes.length);
        return this;
    }

    /** The node's bytes, CRC appended. */
    byte[] seal() {
        CRC32C crc = new CRC32C();
        byte[] body = out.toByteArray();
        crc.update(body);
        int c = (int) crc.getValue();
        byte[] sealed = new byte[body.length + TRAILER];
        System.arraycopy(body, 0, sealed, 0, body.length);
        ByteBuffer.wrap(sealed, body.length, TRAILER).putInt(c);
        return sealed;
    }

    /**
     * Opens {@code data}, read from {@code node}, as a node of {@code kind}.
     *
     * @throws PoolFormatException naming the node if the data is not such a node
     */
    static Reader open(byte[] data, char kind, String node) {
        if (data == null || data.length < 5 + TRAILER || data[0] != 'A' || data[1] != 'L' || data[2] != 'P') {
            throw new PoolFormatException(node + " holds " + (data == null ? 0 : data.length)
                    + " bytes that are not an Allot pool record (foreign data)");
        }
        if (data[3] != kind) {
            throw new PoolFormatException(node + " holds an Allot record of kind '" + (char) data[3]
                    + "' where one of kind '" + kind + "' belongs");
        }
        CRC32C crc = new CRC32C();
        crc.update(data, 0, data.length - TRAILER);
        if ((int) crc.getValue() != ByteBuffer.wrap(data, data.length - TRAILER, TRAILER).getInt()) {
            throw new PoolFormatException(node + " is corrupt: its CRC32C does not match its " + data.length + " bytes");
        }
        if (data[4] != VERSION) {
            throw new PoolFormatException(node + " has format version " + data[4] + "; this Allot reads version " + VERSION);
        }
        return new Reader(ByteBuffer.wrap(data, 5, data.length - 5 - TRAILER), node);
    }

    /** Reads a payload; every read past its end or of a malformed value is a {@link PoolFormatException}. */
    static final class Reader {
        private final ByteBuffer in;
        private final String node;

        private Reader(ByteBuffer in, String node) {
            this.in = in;
            this.node = node;
        }

        long varint() {
            long value = 0;
            try {
                for (int shift = 0; shift < 64; shift += 7) {
                    int b = in.get() & 0xFF;
                    value |= (long) (b & 0x7F) << shift;
                    if ((b & 0x80) == 0) {
                        return value;
                    }
                }
            } catch (BufferUnderflowException e) {
                throw malformed("is truncated");
            }
            throw malformed("holds a varint longer than 64 bits");
        }

        int count(int max) {
            long n = varint();
            if (n < 0 || n > max) {
                throw malformed("holds a count " + n + " above " + max);
            }
            return (int) n;
        }

        String string() {
            int length = count(in.remaining());
            byte[] bytes = new byte[length];
            in.get(bytes);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw malformed("holds a string that is not UTF-8");
            }
        }

        /** Checks that the payload was read to its end. */
        void end() {
            if (in.hasRemaining()) {
                throw malformed("has " + in.remaining() + " unread bytes");
            }
        }

        PoolFormatException malformed(String what) {
            return new PoolFormatException(node + " " + what);
        }
    }
}
