package dev.bptt.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bptt.model.CellKind;
import dev.bptt.model.ModelShape;
import dev.bptt.model.ParameterInit;
import dev.bptt.model.Parameters;
import dev.bptt.records.ParameterVersion;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Version lookups by bucket and staleness, pruning to what can still be used, snapshots. */
class VersionStoreTest {

    private static final ModelShape SHAPE = new ModelShape(CellKind.RNN, 1, 2, 1);

    private static ParameterVersion update(long version, long completedThrough) {
        return new ParameterVersion(version, completedThrough, completedThrough,
                ParameterInit.uniform(SHAPE, version).toFlat(), 1, 1, 1, 1, 0);
    }

    private static ParameterVersion progress(long version, long completedThrough) {
        return new ParameterVersion(version, completedThrough, -1, null, 0, 0, Double.NaN, 0, 0);
    }

    /** Updates in buckets 3, 5 and 9; completed through bucket 12. */
    private static VersionStore store() {
        VersionStore store = new VersionStore(ParameterInit.uniform(SHAPE, 0));
        store.apply(progress(0, 2));
        store.apply(update(1, 3));
        store.apply(update(2, 5));
        store.apply(progress(2, 7));
        store.apply(update(3, 9));
        store.apply(progress(3, 12));
        return store;
    }

    @Test
    void aBucketUsesTheVersionAfterEveryUpdateBeforeItsStalenessHorizon() {
        VersionStore store = store();
        assertThat(store.versionFor(3, 0)).isEqualTo(0);
        assertThat(store.versionFor(4, 0)).isEqualTo(1);
        assertThat(store.versionFor(9, 0)).isEqualTo(2);
        assertThat(store.versionFor(10, 0)).isEqualTo(3);
        assertThat(store.versionFor(10, 2)).isEqualTo(2);
        assertThat(store.ready(13, 0)).isTrue();
        assertThat(store.ready(14, 0)).isFalse();
        assertThat(store.ready(15, 2)).isTrue();
    }

    @Test
    void oldNewsIsIgnored() {
        VersionStore store = store();
        assertThat(store.apply(update(2, 5))).isFalse();
        assertThat(store.apply(progress(3, 12))).isFalse();
        assertThat(store.apply(progress(3, 13))).isTrue();
    }

    @Test
    void pruningKeepsTheVersionsBucketsStillToRunUseAndThoseStepsReference() {
        VersionStore store = store();
        store.retain(1);
        store.prune(11, 0); // buckets >= 11 use V(x >= 10) = 3
        assertThat(store.heldVersions()).isEqualTo(2); // 3, and 1 referenced by a kept step
        assertThat(store.params(1)).isEqualTo(ParameterInit.uniform(SHAPE, 1));
        assertThatThrownBy(() -> store.params(2)).isInstanceOf(IllegalStateException.class);
        assertThat(store.versionFor(11, 0)).isEqualTo(3);

        store.release(1);
        store.prune(11, 0);
        assertThat(store.heldVersions()).isEqualTo(1);
    }

    /**
     * Retains and releases in the pattern of the rings (runs of one version retained while an
     * older one is released, counts reaching zero and versions retained again) count exactly as
     * a plain map of counts, and a version is pruned exactly when its count is zero.
     */
    @Test
    void referenceCountsFollowEveryRetainAndRelease() {
        VersionStore store = store();
        java.util.Map<Long, Integer> expected = new java.util.HashMap<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 20_000; i++) {
            long v = random.nextInt(4) == 0 ? random.nextInt(4) : (i / 500) % 4;
            if (random.nextBoolean()) {
                store.retain(v);
                expected.merge(v, 1, Integer::sum);
            } else {
                store.release(v); // releasing an unreferenced version changes nothing
                expected.computeIfPresent(v, (k, n) -> n == 1 ? null : n - 1);
            }
            for (long u = 0; u < 4; u++) {
                assertThat(store.references(u)).as("version %d after call %d", u, i)
                        .isEqualTo(expected.getOrDefault(u, 0));
            }
        }
        for (long u = 0; u < 4; u++) {
            while (store.references(u) > 0) {
                store.release(u);
            }
        }
        store.retain(1);
        store.retain(1);
        store.release(1);
        store.prune(11, 0); // buckets >= 11 use V(10) = 3; 1 is still referenced once
        assertThat(store.heldVersions()).isEqualTo(2);
        store.release(1);
        store.prune(11, 0);
        assertThat(store.heldVersions()).isEqualTo(1);
    }

    @Test
    void pruningWithStalenessKeepsTheOlderVersionTheLaggingBucketsUse() {
        VersionStore store = store();
        store.prune(11, 2); // buckets >= 11 may use V(8) = 2
        assertThat(store.params(2)).isEqualTo(ParameterInit.uniform(SHAPE, 2));
        assertThat(store.versionFor(11, 2)).isEqualTo(2);
        assertThat(store.versionFor(13, 2)).isEqualTo(3);
    }

    @Test
    void aSnapshotRebuildsTheLookupsOfEveryBucketStillToRun() {
        VersionStore store = store();
        store.retain(1);
        store.prune(9, 1);
        VersionStore restored = new VersionStore(ParameterInit.uniform(SHAPE, 0));
        store.snapshot().forEach(restored::apply);
        for (long bucket = 9; bucket < 16; bucket++) {
            assertThat(restored.ready(bucket, 1)).isEqualTo(store.ready(bucket, 1));
            if (store.ready(bucket, 1)) {
                long v = store.versionFor(bucket, 1);
                assertThat(restored.versionFor(bucket, 1)).isEqualTo(v);
                assertThat(restored.params(v)).isEqualTo(store.params(v));
            }
        }
        assertThat(restored.params(1)).isEqualTo(store.params(1));
        assertThat(restored.latest()).isEqualTo(3);
        assertThat(restored.completedThrough()).isEqualTo(12);
    }

    @Test
    void restoringTheSnapshotsOfSeveralSubtasksKeepsAnOlderVersionOnlyOneStillHeld() {
        VersionStore pruned = store();
        pruned.prune(11, 0); // holds 3
        VersionStore referencing = store();
        referencing.retain(1);
        referencing.prune(11, 0); // holds 1 (a ring's step) and 3
        List<ParameterVersion> union = new ArrayList<>(pruned.snapshot());
        union.addAll(referencing.snapshot()); // the newer messages first, as a union list may come
        List<ParameterVersion> reversed = new ArrayList<>(union);
        Collections.reverse(reversed);
        for (List<ParameterVersion> order : List.of(union, reversed)) {
            VersionStore restored = new VersionStore(ParameterInit.uniform(SHAPE, 0));
            restored.restore(order);
            assertThat(restored.params(1)).isEqualTo(ParameterInit.uniform(SHAPE, 1));
            assertThat(restored.params(3)).isEqualTo(ParameterInit.uniform(SHAPE, 3));
            assertThat(restored.latest()).isEqualTo(3);
            assertThat(restored.completedThrough()).isEqualTo(12);
            assertThat(restored.versionFor(11, 0)).isEqualTo(3);
        }
    }

    @Test
    void theNewestVersionIsKeptAndTheInitialOneGoesOnceNothingCanUseIt() {
        VersionStore store = new VersionStore(ParameterInit.uniform(SHAPE, 0));
        store.apply(update(1, 3));
        store.prune(1000, 0);
        Parameters newest = store.params(1);
        assertThat(newest).isEqualTo(ParameterInit.uniform(SHAPE, 1));
        assertThat(store.heldVersions()).isEqualTo(1);
        assertThatThrownBy(() -> store.params(0)).isInstanceOf(IllegalStateException.class);
    }
}
