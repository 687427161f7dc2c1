package io.flowcost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the project's Markdown (READMEs and {@code docs/}) resolves to a file or
 * folder inside the repository. A user's clone has nothing beside it, so a link that leaves the
 * repository (such as the steering {@code ../shared/DESIGN.md}) or names a moved file is a dead
 * end for them.
 */
class DocLinksTest {

  /** {@code [text](target)} with an optional {@code #anchor} or title; images too. */
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

  @Test
  void everyRelativeLinkResolvesInsideTheRepository() throws IOException {
    Path root = ChildJvm.repoRoot();
    List<Path> docs;
    try (Stream<Path> files = Files.walk(root)) {
      docs = files
          .filter(p -> p.toString().endsWith(".md"))
          .filter(p -> !isBuildOutput(root.relativize(p)))
          .sorted()
          .toList();
    }
    assertThat(docs).as("Markdown files found under %s", root)
        .contains(root.resolve("README.md"), root.resolve("docs/concepts.md"));

    List<String> broken = new ArrayList<>();
    int checked = 0;
    for (Path doc : docs) {
      String text = stripCode(Files.readString(doc));
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.startsWith("#") || target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
          continue; // an anchor in the same page, or an absolute URL (http:, mailto:, …)
        }
        String file = target.replaceFirst("#.*$", "");
        Path resolved = doc.getParent().resolve(file).normalize();
        checked++;
        if (!resolved.startsWith(root)) {
          broken.add(root.relativize(doc) + ": " + target + " leaves the repository");
        } else if (!Files.exists(resolved)) {
          broken.add(root.relativize(doc) + ": " + target + " does not exist");
        }
      }
    }
    assertThat(checked).as("relative links checked").isGreaterThan(10);
    assertThat(broken).isEmpty();
  }

  private static boolean isBuildOutput(Path relative) {
    for (Path part : relative) {
      String name = part.toString();
      if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** Drops fenced code blocks and inline code, where brackets are code, not links. */
  private static String stripCode(String markdown) {
    return markdown.replaceAll("(?s)```.*?```", "").replaceAll("`[^`\\n]*`", "");
  }
}
