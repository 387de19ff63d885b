package dev.bptt.flink;

import dev.bptt.model.ModelShape;
import dev.bptt.model.StepRing;
import java.util.Map;
import org.apache.flink.api.common.state.KeyedStateStore;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.IntSerializer;

/**
 * The current key's last k2 steps in keyed state, one entry per slot so that a step writes one
 * step's bytes, not the whole ring: {@code ring-slots} (slot index -> {@link RingSlot}) and
 * {@code ring-head} ({@link RingHead}: next slot, size, pending losses). The slot indices are the
 * physical slots of the {@link StepRing} that {@link #load} rebuilds, so it equals the ring that
 * pushing the same steps into one StepRing makes (slots never written stay zero). The map holds
 * exactly the slots in use: {@code size} entries.
 */
final class KeyedRing {

    private final ModelShape shape;
    private final int capacity;
    private final ValueStateDescriptor<RingHead> headDescriptor;
    private final MapStateDescriptor<Integer, RingSlot> slotsDescriptor;
    /** Per key: where the ring stands, or null when the key holds no step. */
    private final ValueState<RingHead> head;
    /** Per key: the steps held, by physical slot. */
    private final MapState<Integer, RingSlot> slots;

    KeyedRing(KeyedStateStore store, ModelShape shape, int capacity) {
        this.shape = shape;
        this.capacity = capacity;
        this.headDescriptor = new ValueStateDescriptor<>("ring-head", RingHead.class);
        this.slotsDescriptor = slotsDescriptor(shape);
        this.head = store.getState(headDescriptor);
        this.slots = store.getMapState(slotsDescriptor);
    }

    /** The descriptor of the slots' map state for a model of {@code shape}. */
    static MapStateDescriptor<Integer, RingSlot> slotsDescriptor(ModelShape shape) {
        return new MapStateDescriptor<>("ring-slots", IntSerializer.INSTANCE,
                new RingSlotSerializer(shape.inputSize(), shape.stateSize(), shape.outputSize()));
    }

    ValueStateDescriptor<RingHead> headDescriptor() {
        return headDescriptor;
    }

    MapStateDescriptor<Integer, RingSlot> slotsDescriptor() {
        return slotsDescriptor;
    }

    /** The current key's head, {@link RingHead#EMPTY} when it holds no step. */
    RingHead head() throws Exception {
        RingHead h = head.value();
        return h == null ? RingHead.EMPTY : h;
    }

    /**
     * Writes {@code slot} as the current key's newest step, at {@code h.next()}. Modified: that
     * slot in state (the head is not: store {@code h.pushed(capacity)} with {@link #updateHead}).
     *
     * @return the step it overwrote (the oldest of a full ring), or null
     */
    RingSlot push(RingHead h, RingSlot slot) throws Exception {
        RingSlot replaced = h.full(capacity) ? slots.get(h.next()) : null;
        slots.put(h.next(), slot);
        return replaced;
    }

    /**
     * Writes the {@code newest} newest steps of {@code r} and its head as the current key's ring
     * (a held ring brought up to date, {@link HeldRings}; keyed state holds its older steps).
     * Modified: those slots and the head in state.
     */
    void writeBack(StepRing r, int newest) throws Exception {
        for (int i = r.size - newest; i < r.size; i++) {
            int slot = r.slot(i);
            slots.put(slot, RingSlot.of(r, slot));
        }
        head.update(new RingHead(r.next, r.size, r.pendingLoss));
    }

    /** Stores the current key's head. Modified: the head in state. */
    void updateHead(RingHead h) throws Exception {
        head.update(h);
    }

    /** The current key's ring standing at {@code h}, read from state once (a new StepRing). */
    StepRing load(RingHead h) throws Exception {
        return load(h, null);
    }

    /**
     * The same into {@code reuse} (modified; a ring of this shape and capacity whose old contents
     * no one needs), or into a new StepRing when it is null. Only the slots in use are written: the
     * others keep stale numbers, which no position {@code < size} reaches.
     */
    StepRing load(RingHead h, StepRing reuse) throws Exception {
        StepRing ring = reuse == null ? StepRing.forShape(shape, capacity) : reuse;
        for (Map.Entry<Integer, RingSlot> e : slots.entries()) {
            e.getValue().writeTo(ring, e.getKey());
        }
        ring.next = h.next();
        ring.size = h.size();
        ring.pendingLoss = h.pendingLoss();
        return ring;
    }

    /** Forgets the current key's ring. Modified: both states of the key (cleared). */
    void clear() {
        head.clear();
        slots.clear();
    }
}
