package dev.bptt.connectors.demo;

import dev.bptt.steps.StepJson;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * The demo task as a bounded Flink source of step records (CONTRACT.md §2 JSON), generated on
 * the fly: record i is step {@code i / keys} of key {@code i % keys}, so the records come in time
 * order, as from {@link DelayedRecallTask#steps()}. Run it at parallelism 1 to keep that order.
 */
public final class DelayedRecallSource {

    private DelayedRecallSource() {}

    public static DataGeneratorSource<String> of(DelayedRecallTask task) {
        GeneratorFunction<Long, String> record = index -> StepJson.write(
                task.step((int) (index % task.keys()), (int) (index / task.keys())));
        return new DataGeneratorSource<>(record, (long) task.keys() * task.length(), Types.STRING);
    }
}
