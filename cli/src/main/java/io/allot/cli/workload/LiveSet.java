package io.allot.cli.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What a generator believes is live: O(1) add and O(1) removal of a uniformly random member (swap
 * with the last), so that lifetimes come out memoryless without a priority queue.
 */
final class LiveSet<T> {

    private final List<T> items = new ArrayList<>();

    void add(T item) {
        items.add(item);
    }

    int size() {
        return items.size();
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    T get(int index) {
        return items.get(index);
    }

    /** Removes and returns a uniformly chosen member; the set must not be empty. */
    T removeRandom(SplittableRandom random) {
        return removeAt(random.nextInt(items.size()));
    }

    /** Removes and returns the member at {@code index}; the last member takes its place. */
    T removeAt(int index) {
        T item = items.get(index);
        T last = items.remove(items.size() - 1);
        if (index < items.size()) {
            items.set(index, last);
        }
        return item;
    }
}
