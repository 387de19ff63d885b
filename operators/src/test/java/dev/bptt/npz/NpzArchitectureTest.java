package dev.bptt.npz;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The npz package stays a plain-JDK library: no Flink, no third-party dependencies. */
class NpzArchitectureTest {

  @Test
  void npzPackageDependsOnlyOnTheJdk() {
    JavaClasses npz = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.bptt.npz");
    classes().should().onlyDependOnClassesThat().resideInAnyPackage("java..", "dev.bptt.npz..")
        .check(npz);
  }
}
