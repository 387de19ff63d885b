package dev.bptt.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The embedded MiniCluster listens on 127.0.0.1 only: its blob server, data exchange and REST
 * endpoint would otherwise bind every interface (Flink's defaults for a cluster). Cluster options:
 * inside a real cluster's context they do not apply.
 */
public final class Loopback {

    static final String HOST = "127.0.0.1";

    private Loopback() {}

    /** {@code conf} with the MiniCluster's servers bound to 127.0.0.1. */
    public static Configuration only(Configuration conf) {
        conf.set(JobManagerOptions.BIND_HOST, HOST);
        conf.set(TaskManagerOptions.BIND_HOST, HOST);
        conf.set(TaskManagerOptions.HOST, HOST);
        conf.set(RestOptions.BIND_ADDRESS, HOST);
        return conf;
    }
}
