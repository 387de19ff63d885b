package dev.bptt.loop;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How far a forward subtask has read a replayable loop inlet: the next offset of one partition.
 * Kept in union operator state.
 */
public record LoopPosition(int partition, long offset) {

    /**
     * Where a restored subtask resumes: per partition the lowest position any subtask had. The
     * versions themselves are union state too, so the restored store holds at least everything
     * read before that point; messages read twice are old news to {@link VersionStore#apply}.
     */
    public static Map<Integer, Long> resumeAt(List<LoopPosition> restored) {
        Map<Integer, Long> at = new HashMap<>();
        for (LoopPosition p : restored) {
            at.merge(p.partition(), p.offset(), Math::min);
        }
        return at;
    }
}
