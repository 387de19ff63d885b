package dev.bptt.cli;

import dev.bptt.model.ParameterArrays;
import dev.bptt.model.Parameters;
import dev.bptt.npz.NdArray;
import dev.bptt.npz.Npz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Reading the files a command names, with failures reported as usage errors naming the option. */
public final class Inputs {

    private Inputs() {}

    /** Parameters from an .npz file named by {@code option}. */
    public static Parameters parameters(String option, Path file) {
        requireFile(option, file);
        try {
            return ParameterArrays.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new UsageException(option + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parameters from arrays already read from {@code file}. */
    static Parameters parameters(String option, Path file, Map<String, NdArray> arrays) {
        try {
            return ParameterArrays.fromArrays(arrays);
        } catch (IllegalArgumentException e) {
            throw new UsageException(option + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** All arrays of an .npz file named by {@code option}. */
    static Map<String, NdArray> arrays(String option, Path file) {
        requireFile(option, file);
        try {
            return Npz.read(file);
        } catch (IOException e) {
            throw new UsageException(option + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** Fails with a usage error naming {@code option} when {@code file} is not a regular file. */
    public static void requireFile(String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UsageException(option + ": no such file: " + file);
        }
    }
}
