package io.flowcost.collector;

import io.flowcost.lake.store.LakeStore;
import io.flowcost.lake.store.StoredFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link LakeStore} that forwards every call to another one: tests override the one operation
 * they want to fail or slow down, and the result is not a {@code LocalDirectoryStore}, as a
 * remote store is not.
 */
public class ForwardingLakeStore implements LakeStore {
  private final String label;
  private final LakeStore delegate;

  /** {@code label} is put before the delegate's own description. */
  public ForwardingLakeStore(String label, LakeStore delegate) {
    this.label = label;
    this.delegate = delegate;
  }

  @Override
  public void publish(String relativeKey, Path localFile) throws IOException {
    delegate.publish(relativeKey, localFile);
  }

  @Override
  public List<StoredFile> listFiles(String prefix) throws IOException {
    return delegate.listFiles(prefix);
  }

  @Override
  public InputStream open(String key) throws IOException {
    return delegate.open(key);
  }

  @Override
  public void download(String key, Path target) throws IOException {
    delegate.download(key, target);
  }

  @Override
  public void delete(String key) throws IOException {
    delegate.delete(key);
  }

  @Override
  public String describe() {
    return label + delegate.describe();
  }
}
