package io.flowcost.pricing;

/**
 * A price catalog could not be read. The message names the file, the line (when known) and the
 * problem, e.g. {@code prices.json:42: models[3] (openai/gpt-4o): 'input' is not a decimal}.
 */
public final class CatalogException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final String problem;

  /**
   * Creates an exception.
   *
   * @param file the file (or resource) name
   * @param line 1-based line number, or a value {@code <= 0} when unknown
   * @param problem what is wrong, without the file and line
   * @param cause the underlying error, or {@code null}
   */
  public CatalogException(String file, int line, String problem, Throwable cause) {
    super(file + (line > 0 ? ":" + line : "") + ": " + problem, cause);
    this.file = file;
    this.line = line;
    this.problem = problem;
  }

  /** The file or resource name. */
  public String file() {
    return file;
  }

  /** The 1-based line, or {@code <= 0} when unknown. */
  public int line() {
    return line;
  }

  /** The problem, without file and line. */
  public String problem() {
    return problem;
  }
}
