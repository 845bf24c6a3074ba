package io.allot.internal;

import io.allot.Allocation;
import io.allot.Range;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Streams an allocator's state as a version-1 snapshot image (layout in
 * {@code docs/snapshot-format.md}): big-endian, no serialization framework, a CRC32C trailer over
 * every byte before it. Allocations are written as they are visited, so writing needs no copy of
 * the allocation list. An allocator with a source or quantum caches gets the layers section
 * after its allocations ({@link Snapshot#FLAG_LAYERS}); any other gets none. The caller's stream
 * is flushed, never closed.
 */
public final class SnapshotWriter {

    private SnapshotWriter() {
    }

    /**
     * Writes one image.
     *
     * @param header      every field of the image but the allocations (its {@code allocations} is
     *                    ignored); its {@code imported} spans must be some of its {@code spans}
     * @param liveCount   how many allocations {@code allocations} will visit
     * @param allocations visits the live allocations in ascending order
     * @throws UncheckedIOException if {@code out} fails
     */
    public static void write(OutputStream out, Snapshot header, long liveCount,
                             Consumer<Consumer<? super Allocation>> allocations) {
        byte[] engine = nameBytes(header.engine());
        byte[] policy = nameBytes(header.policy());
        int[] imported = importedIndexes(header.spans(), header.imported());
        boolean layers = header.importSize() != 0 || header.quantumCacheMax() != 0;
        int flags = (header.threadSafe() ? Snapshot.FLAG_THREAD_SAFE : 0) | (layers ? Snapshot.FLAG_LAYERS : 0);
        CRC32C crc = new CRC32C();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(out), crc));
        try {
            data.writeInt(Snapshot.MAGIC);
            data.writeShort(Snapshot.VERSION);
            data.writeShort(flags);
            data.writeLong(header.quantum());
            data.writeLong(header.rotor());
            data.writeLong(header.totalAllocations());
            data.writeLong(header.totalFrees());
            data.writeLong(header.failedAllocations());
            data.writeByte(engine.length);
            data.write(engine);
            data.writeByte(policy.length);
            data.write(policy);
            List<Range> spans = header.spans();
            data.writeInt(spans.size());
            for (Range span : spans) {
                data.writeLong(span.start());
                data.writeLong(span.end());
            }
            data.writeLong(liveCount);
            IOException[] failure = new IOException[1];
            allocations.accept(allocation -> {
                if (failure[0] == null) {
                    try {
                        writeAllocation(data, allocation);
                    } catch (IOException e) {
                        failure[0] = e;
                    }
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            if (layers) {
                data.writeLong(header.importSize());
                data.writeLong(header.quantumCacheMax());
                data.writeInt(imported.length);
                for (int index : imported) {
                    data.writeInt(index);
                }
            }
            data.flush();
            // The trailer goes around the checksum stream: it covers everything before it.
            DataOutputStream trailer = new DataOutputStream(out);
            trailer.writeInt((int) crc.getValue());
            trailer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a snapshot failed", e);
        }
    }

    private static void writeAllocation(DataOutputStream data, Allocation allocation) throws IOException {
        data.writeLong(allocation.range().start());
        data.writeLong(allocation.range().end());
        String tag = allocation.tag();
        if (tag == null) {
            data.writeInt(-1);
        } else {
            byte[] bytes = tag.getBytes(StandardCharsets.UTF_8);
            data.writeInt(bytes.length);
            data.write(bytes);
        }
    }

    /** The index in {@code spans} of each imported span, ascending; both lists are ascending. */
    private static int[] importedIndexes(List<Range> spans, List<Range> imported) {
        int[] indexes = new int[imported.size()];
        int j = 0;
        for (int i = 0; i < spans.size() && j < indexes.length; i++) {
            if (spans.get(i).equals(imported.get(j))) {
                indexes[j++] = i;
            }
        }
        if (j != indexes.length) {
            throw new IllegalStateException("imported span " + imported.get(j) + " is not one of the spans " + spans);
        }
        return indexes;
    }

    /** Checked before the first byte is written, so a bad name leaves {@code out} untouched. */
    private static byte[] nameBytes(String name) {
        byte[] bytes = Tags.checked(name).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Snapshot.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name \"" + name + "\" is longer than " + Snapshot.MAX_NAME_BYTES
                    + " UTF-8 bytes and cannot be stored in a snapshot");
        }
        return bytes;
    }
}
