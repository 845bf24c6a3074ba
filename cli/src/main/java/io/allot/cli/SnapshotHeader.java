package io.allot.cli;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The fixed fields at the front of a snapshot image that {@link io.allot.ResourceAllocator} does not
 * expose once restored: the engine that wrote it, the thread-safety flag and the next-fit rotor.
 * Read per the published layout (docs/snapshot-format.md), and only trusted after
 * {@link io.allot.Allocators#restore} has checked the whole image.
 *
 * @param engine     the engine that wrote the image
 * @param threadSafe whether the allocator was built {@code threadSafe()}
 * @param rotor      where the next next-fit search starts
 */
record SnapshotHeader(String engine, boolean threadSafe, long rotor) {

    private static final int FLAGS = 6;
    private static final int ROTOR = 16;
    private static final int ENGINE_NAME = 48;

    /** The header of {@code image}, or empty when the image is too short to hold one. */
    static Optional<SnapshotHeader> read(byte[] image) {
        if (image.length < ENGINE_NAME + 1) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(image);
        int length = Byte.toUnsignedInt(image[ENGINE_NAME]);
        if (ENGINE_NAME + 1 + length > image.length) {
            return Optional.empty();
        }
        String engine = new String(image, ENGINE_NAME + 1, length, StandardCharsets.UTF_8);
        return Optional.of(new SnapshotHeader(engine, (buf.getShort(FLAGS) & 1) != 0, buf.getLong(ROTOR)));
    }
}
