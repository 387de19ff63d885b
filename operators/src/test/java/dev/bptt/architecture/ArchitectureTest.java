package dev.bptt.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The math core, the file formats and the step rules are plain Java: usable without Flink. */
@AnalyzeClasses(packages = "dev.bptt", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule mathCoreImportsNoFlink = noClasses()
            .that().resideInAnyPackage("dev.bptt.model..", "dev.bptt.npz..", "dev.bptt.steps..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..")
            .because("the math core must run without Flink (DESIGN.md)");

    @ArchTest
    static final ArchRule noJunit4 = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("org.junit", "junit.framework");
}
