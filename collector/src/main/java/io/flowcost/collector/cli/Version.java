package io.flowcost.collector.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the collector's version from the jar manifest. */
final class Version implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String v = Version.class.getPackage().getImplementationVersion();
    return new String[] {"flowcost-collector " + (v == null ? "dev" : v)};
  }
}
