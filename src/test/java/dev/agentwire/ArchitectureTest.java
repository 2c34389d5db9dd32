package dev.agentwire;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The features depend on each other as docs/design.md says, and on nothing else: the dependency
 * list is read from that document, so the document and the code cannot drift apart. No cycles
 * between features, nor between the boundary, control and entity packages anywhere, and only a
 * boundary uses a boundary.
 */
@AnalyzeClasses(packages = "dev.agentwire", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String ROOT = "dev.agentwire.";

    @ArchTest
    static final ArchRule noCyclesBetweenFeatures = slices().matching("dev.agentwire.(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noCyclesBetweenLayers = slices().matching("dev.agentwire.(*).(*)..")
            .should().beFreeOfCycles();

    @ArchTest
    static final ArchRule onlyBoundariesUseBoundaries = noClasses()
            .that().resideInAnyPackage("..control..", "..entity..")
            .should().dependOnClassesThat().resideInAPackage("..boundary..")
            .because("a boundary is what the outside calls; the logic does not call back into it");

    @ArchTest
    static final ArchRule featuresDependAsDocumented = ArchRuleDefinition.classes()
            .that(describe("belong to a feature", (JavaClass c) -> feature(c) != null))
            .should(dependOnlyOnDocumentedFeatures(documentedDependencies(Path.of("docs/design.md"))));

    @ArchTest
    static void everyFeatureIsDocumented(JavaClasses classes) {
        Map<String, Set<String>> documented = documentedDependencies(Path.of("docs/design.md"));
        Set<String> undocumented = classes.stream().map(ArchitectureTest::feature)
                .filter(f -> f != null && !documented.containsKey(f)).collect(Collectors.toSet());
        if (!undocumented.isEmpty()) {
            throw new AssertionError("docs/design.md's dependency list leaves out " + undocumented);
        }
    }

    /** The feature a class belongs to: the first package below dev.agentwire; null for the application's root classes. */
    static String feature(JavaClass type) {
        String name = type.getPackageName();
        if (!name.startsWith(ROOT)) {
            return null;
        }
        String rest = name.substring(ROOT.length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static ArchCondition<JavaClass> dependOnlyOnDocumentedFeatures(Map<String, Set<String>> allowed) {
        return new ArchCondition<>("depend only on the features docs/design.md lists for theirs") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                String own = feature(type);
                Set<String> mayUse = allowed.getOrDefault(own, Set.of());
                Map<String, Dependency> undocumented = new TreeMap<>();
                for (Dependency dependency : type.getDirectDependenciesFromSelf()) {
                    String used = feature(dependency.getTargetClass());
                    if (used != null && !used.equals(own) && !mayUse.contains(used)) {
                        undocumented.putIfAbsent(used, dependency);
                    }
                }
                undocumented.forEach((used, first) -> events.add(SimpleConditionEvent.violated(type,
                        own + " -> " + used + " is not in docs/design.md, e.g. " + first.getDescription())));
            }
        };
    }

    /**
     * The dependency list of docs/design.md: lines {@code feature -> other, another (why), ...}
     * in the first code block; a feature that depends on none says {@code feature -> nothing}.
     */
    static Map<String, Set<String>> documentedDependencies(Path design) {
        List<String> lines;
        try {
            lines = Files.readAllLines(design);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Pattern edge = Pattern.compile("^([a-z]+)\\s+->\\s+(.*)$");
        Map<String, Set<String>> dependencies = new LinkedHashMap<>();
        boolean inBlock = false;
        for (String line : lines) {
            if (line.startsWith("```")) {
                if (inBlock) {
                    break;
                }
                inBlock = true;
                continue;
            }
            var matched = edge.matcher(line.strip());
            if (inBlock && matched.matches()) {
                String targets = matched.group(2).replaceAll("\\([^)]*\\)", "");
                dependencies.put(matched.group(1), Arrays.stream(targets.split(","))
                        .map(String::strip).filter(t -> !t.isEmpty() && !t.equals("nothing"))
                        .collect(Collectors.toSet()));
            }
        }
        if (dependencies.isEmpty()) {
            throw new AssertionError("no dependency list found in " + design);
        }
        return dependencies;
    }
}
