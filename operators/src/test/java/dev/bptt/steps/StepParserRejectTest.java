package dev.bptt.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each way a single record can break the format is rejected with its kind and a precise reason. */
class StepParserRejectTest {

    /** I = 2, O = 1, mse, time required. */
    private static final StepParser MSE = new StepParser(new StepSchema(2, 1, false, true));

    /** I = 2, O = 3, xent, time optional. */
    private static final StepParser XENT = new StepParser(new StepSchema(2, 3, true, false));

    private static final String HEAD = "{\"key\":\"a\",\"step\":0,\"time\":1";
    private static final String VALID = HEAD + ",\"input\":[1,2]}";

    static BadStepException rejectionOf(StepParser parser, String json) {
        BadStepException e = catchThrowableOfType(BadStepException.class, () -> parser.parse(json));
        assertThat(e).as("rejects %s", json).isNotNull();
        assertThat(e.getMessage()).isEqualTo(e.kind().code() + ": " + e.reason()).doesNotContain("\n", "\r");
        return e;
    }

    static Stream<Arguments> mseRejects() {
        return Stream.of(
                // malformed shape
                arguments("", RejectKind.MALFORMED_JSON, "empty record, expected a JSON object"),
                arguments("  \n ", RejectKind.MALFORMED_JSON, "empty record, expected a JSON object"),
                arguments("[1,2]", RejectKind.MALFORMED_JSON, "top level must be a JSON object, got an array"),
                arguments("\"x\"", RejectKind.MALFORMED_JSON, "top level must be a JSON object, got string \"x\""),
                arguments("42", RejectKind.MALFORMED_JSON, "top level must be a JSON object, got number 42"),
                arguments("null", RejectKind.MALFORMED_JSON, "top level must be a JSON object, got null"),
                arguments(VALID + "{}", RejectKind.MALFORMED_JSON,
                        "trailing content after the object at line 1, column 44"),
                // missing fields
                arguments("{\"step\":0,\"time\":1,\"input\":[1,2]}", RejectKind.MISSING_FIELD, "\"key\" is required"),
                arguments("{\"key\":\"a\",\"time\":1,\"input\":[1,2]}", RejectKind.MISSING_FIELD, "\"step\" is required"),
                arguments(HEAD + "}", RejectKind.MISSING_FIELD, "\"input\" is required (2 numbers)"),
                arguments("{\"key\":\"a\",\"step\":0,\"input\":[1,2]}", RejectKind.MISSING_FIELD,
                        "\"time\" is required by the schema (event time, epoch ms)"),
                arguments("{\"key\":\"a\",\"step\":0,\"time\":null,\"input\":[1,2]}", RejectKind.MISSING_FIELD,
                        "\"time\" is required by the schema (event time, epoch ms), got null"),
                // wrong types and domains
                arguments("{\"key\":7,\"step\":0,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"key\" must be a string, got number 7"),
                arguments("{\"key\":null,\"step\":0,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"key\" must be a string, got null"),
                arguments("{\"key\":\"\",\"step\":0,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"key\" must be a non-empty string, got \"\""),
                arguments("{\"key\":\"a\",\"step\":\"3\",\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"step\" must be an integer >= 0, got string \"3\""),
                arguments("{\"key\":\"a\",\"step\":1.5,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"step\" must be an integer >= 0, got number 1.5"),
                arguments("{\"key\":\"a\",\"step\":2.0,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"step\" must be an integer >= 0, got number 2.0"),
                arguments("{\"key\":\"a\",\"step\":1e2,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"step\" must be an integer >= 0, got number 1e2"),
                arguments("{\"key\":\"a\",\"step\":null,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"step\" must be an integer >= 0, got null"),
                arguments("{\"key\":\"a\",\"step\":-1,\"time\":1,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"step\" must be >= 0, got -1"),
                arguments("{\"key\":\"a\",\"step\":9223372036854775808,\"time\":1,\"input\":[1,2]}",
                        RejectKind.WRONG_TYPE, "\"step\" 9223372036854775808 does not fit in a long"),
                arguments("{\"key\":\"a\",\"step\":0,\"time\":\"1700\",\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"time\" must be an integer (epoch ms), got string \"1700\""),
                arguments("{\"key\":\"a\",\"step\":0,\"time\":1.7e12,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"time\" must be an integer (epoch ms), got number 1.7e12"),
                arguments("{\"key\":\"a\",\"step\":0,\"time\":-92233720368547758090,\"input\":[1,2]}",
                        RejectKind.WRONG_TYPE, "\"time\" -92233720368547758090 does not fit in a long"),
                arguments("{\"key\":\"a\",\"step\":0,\"time\":-9223372036854775808,\"input\":[1,2]}",
                        RejectKind.WRONG_TYPE,
                        "\"time\" -9223372036854775808 is reserved for \"no time\", use a later epoch ms"),
                arguments(HEAD + ",\"input\":\"x\"}", RejectKind.WRONG_TYPE,
                        "\"input\" must be an array of 2 numbers, got string \"x\""),
                arguments(HEAD + ",\"input\":null}", RejectKind.WRONG_TYPE,
                        "\"input\" must be an array of 2 numbers, got null"),
                arguments(HEAD + ",\"input\":{\"0\":1}}", RejectKind.WRONG_TYPE,
                        "\"input\" must be an array of 2 numbers, got an object"),
                arguments(HEAD + ",\"input\":[1,\"2\"]}", RejectKind.WRONG_TYPE,
                        "input[1] must be a number, got string \"2\""),
                arguments(HEAD + ",\"input\":[1,[2]]}", RejectKind.WRONG_TYPE, "input[1] must be a number, got an array"),
                arguments(HEAD + ",\"input\":[null,2]}", RejectKind.WRONG_TYPE, "input[0] must be a number, got null"),
                arguments(HEAD + ",\"input\":[true,2]}", RejectKind.WRONG_TYPE,
                        "input[0] must be a number, got boolean true"),
                arguments(HEAD + ",\"input\":[1,2],\"last\":1}", RejectKind.WRONG_TYPE,
                        "\"last\" must be a boolean, got number 1"),
                arguments(HEAD + ",\"input\":[1,2],\"last\":\"true\"}", RejectKind.WRONG_TYPE,
                        "\"last\" must be a boolean, got string \"true\""),
                arguments(HEAD + ",\"input\":[1,2],\"target\":\"x\"}", RejectKind.WRONG_TYPE,
                        "\"target\" must be an array of 1 number, got string \"x\""),
                arguments(HEAD + ",\"input\":[1,2],\"target\":[\"0.5\"]}", RejectKind.WRONG_TYPE,
                        "target[0] must be a number, got string \"0.5\""),
                // dimensions
                arguments(HEAD + ",\"input\":[1,2,3]}", RejectKind.WRONG_DIMENSION, "input has 3 numbers, expected 2"),
                arguments(HEAD + ",\"input\":[1]}", RejectKind.WRONG_DIMENSION, "input has 1 number, expected 2"),
                arguments(HEAD + ",\"input\":[]}", RejectKind.WRONG_DIMENSION, "input has 0 numbers, expected 2"),
                arguments(HEAD + ",\"input\":[1,2],\"target\":[1,2]}", RejectKind.WRONG_DIMENSION,
                        "target has 2 numbers, expected 1"),
                arguments(HEAD + ",\"input\":[1,2],\"target\":[]}", RejectKind.WRONG_DIMENSION,
                        "target has 0 numbers, expected 1"),
                // finiteness
                arguments(HEAD + ",\"input\":[1,NaN]}", RejectKind.NON_FINITE, "input[1] is NaN"),
                arguments(HEAD + ",\"input\":[Infinity,1]}", RejectKind.NON_FINITE, "input[0] is Infinity"),
                arguments(HEAD + ",\"input\":[1,-Infinity]}", RejectKind.NON_FINITE, "input[1] is -Infinity"),
                arguments(HEAD + ",\"input\":[1e400,1]}", RejectKind.NON_FINITE,
                        "input[0] is 1e400, which overflows to Infinity"),
                arguments(HEAD + ",\"input\":[1,-1.5E309]}", RejectKind.NON_FINITE,
                        "input[1] is -1.5E309, which overflows to -Infinity"),
                arguments(HEAD + ",\"input\":[1,2],\"target\":[NaN]}", RejectKind.NON_FINITE, "target[0] is NaN"),
                // target form under mse
                arguments(HEAD + ",\"input\":[1,2],\"target\":0}", RejectKind.BAD_TARGET,
                        "target must be an array of 1 number for mse, got number 0"
                                + " (a class target needs an xent schema)"),
                arguments(HEAD + ",\"input\":[1,2],\"target\":0.5}", RejectKind.BAD_TARGET,
                        "target must be an array of 1 number for mse, got number 0.5"
                                + " (a class target needs an xent schema)"));
    }

    static Stream<Arguments> xentRejects() {
        String head = "{\"key\":\"a\",\"step\":0,\"input\":[1,2],\"target\":";
        return Stream.of(
                arguments(head + "[0.1,0.2,0.7]}", RejectKind.BAD_TARGET,
                        "target must be an integer class in [0, 3) for xent, got an array"
                                + " (a vector target needs an mse schema)"),
                arguments(head + "2.0}", RejectKind.BAD_TARGET, "target must be an integer class for xent, got number 2.0"),
                arguments(head + "1e0}", RejectKind.BAD_TARGET, "target must be an integer class for xent, got number 1e0"),
                arguments(head + "NaN}", RejectKind.BAD_TARGET, "target must be an integer class for xent, got number NaN"),
                arguments(head + "3}", RejectKind.BAD_TARGET, "target class 3 out of range [0, 3) for xent"),
                arguments(head + "-1}", RejectKind.BAD_TARGET, "target class -1 out of range [0, 3) for xent"),
                arguments(head + "99999999999}", RejectKind.BAD_TARGET,
                        "target class 99999999999 out of range [0, 3) for xent"),
                arguments(head + "123456789012345678901234567890}", RejectKind.BAD_TARGET,
                        "target class 123456789012345678901234567890 out of range [0, 3) for xent"),
                arguments(head + "\"1\"}", RejectKind.WRONG_TYPE,
                        "\"target\" must be an integer class for xent, got string \"1\""),
                arguments(head + "true}", RejectKind.WRONG_TYPE,
                        "\"target\" must be an integer class for xent, got boolean true"),
                arguments(head + "{\"class\":1}}", RejectKind.WRONG_TYPE,
                        "\"target\" must be an integer class for xent, got an object"),
                arguments("{\"key\":\"a\",\"step\":0,\"time\":2.5,\"input\":[1,2]}", RejectKind.WRONG_TYPE,
                        "\"time\" must be an integer (epoch ms), got number 2.5"));
    }

    @ParameterizedTest(name = "[{index}] {1}: {2}")
    @MethodSource("mseRejects")
    void mseRecordIsRejectedWithKindAndReason(String json, RejectKind kind, String reason) {
        BadStepException e = rejectionOf(MSE, json);

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.reason()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "[{index}] {1}: {2}")
    @MethodSource("xentRejects")
    void xentRecordIsRejectedWithKindAndReason(String json, RejectKind kind, String reason) {
        BadStepException e = rejectionOf(XENT, json);

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.reason()).isEqualTo(reason);
    }

    @Test
    void duplicateFieldNamesAreMalformedAndNameTheField() {
        BadStepException e = rejectionOf(MSE, "{\"key\":\"a\",\"step\":0,\"key\":\"b\",\"time\":1,\"input\":[1,2]}");

        assertThat(e.kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(e.reason()).containsIgnoringCase("duplicate").contains("'key'").contains("line 1, column");
    }

    @Test
    void duplicateUnknownFieldNamesAreMalformedToo() {
        BadStepException e = rejectionOf(MSE, HEAD + ",\"x\":1,\"input\":[1,2],\"x\":2}");

        assertThat(e.kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(e.reason()).containsIgnoringCase("duplicate").contains("'x'");
    }

    @Test
    void duplicateFieldsInsideUnknownObjectsAreMalformed() {
        BadStepException e = rejectionOf(MSE, HEAD + ",\"meta\":{\"m\":1,\"m\":2},\"input\":[1,2]}");

        assertThat(e.kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(e.reason()).containsIgnoringCase("duplicate").contains("'m'");
    }

    @Test
    void nonJsonTrailingTextIsMalformed() {
        BadStepException e = rejectionOf(MSE, VALID + " x");

        assertThat(e.kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(e.reason()).startsWith("trailing content after the object");
    }

    @Test
    void aSecondRecordOnTheSameLineIsTrailingContent() {
        BadStepException e = rejectionOf(MSE, VALID + "\n" + VALID);

        assertThat(e.kind()).isEqualTo(RejectKind.MALFORMED_JSON);
        assertThat(e.reason()).isEqualTo("trailing content after the object at line 2, column 1");
    }

    @Test
    void syntaxErrorsAreMalformedWithAPosition() {
        for (String json : new String[] {
            "{\"key\":\"a\"", "{key:\"a\"}", "{'key':'a'}", "{\"key\":\"a\",}", "{\"key\":\"a\" /* c */}",
            "{\"key\":\"a\",\"step\":01}", "{\"key\":\"a\",\"step\":+1}", "{\"key\":\"a\nb\"}", "{\"input\":[1,,2]}"
        }) {
            BadStepException e = rejectionOf(MSE, json);
            assertThat(e.kind()).as(json).isEqualTo(RejectKind.MALFORMED_JSON);
            assertThat(e.reason()).as(json).matches(".+ at line \\d+, column \\d+");
        }
    }

    @Test
    void anUnclosedObjectSaysWhereItStarted() {
        BadStepException e = rejectionOf(MSE, "{\"key\":\"a\"");

        assertThat(e.reason()).isEqualTo("Unexpected end-of-input: expected close marker for Object"
                + " (start marker at line 1, column 1) at line 1, column 11");
    }

    @Test
    void nullTextIsMalformed() {
        assertThat(rejectionOf(MSE, null).getMessage()).isEqualTo("malformed_json: record is null");
    }

    @Test
    void theFirstBrokenRuleInFieldOrderIsReported() {
        BadStepException e = rejectionOf(MSE, "{\"input\":[1,2,3],\"step\":\"x\"}");

        assertThat(e.kind()).isEqualTo(RejectKind.WRONG_DIMENSION);
    }

    @Test
    void aVectorTargetInAnXentSchemaIsNotAcceptedEvenWithTheRightLength() {
        assertThat(rejectionOf(XENT, "{\"key\":\"a\",\"step\":0,\"input\":[1,2],\"target\":[1,0,0]}").kind())
                .isEqualTo(RejectKind.BAD_TARGET);
    }
}
