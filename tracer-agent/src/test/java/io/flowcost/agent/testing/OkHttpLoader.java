package io.flowcost.agent.testing;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Loads OkHttp and Okio itself (child first, from the test class path's jars), handing each
 * class's bytes to an agent transformer first, as the JVM does: a test then drives OkHttp
 * reflectively with the agent's advice inlined as it would be in an application.
 */
public final class OkHttpLoader extends URLClassLoader {

  /** The classes the transformer changed, in load order. */
  public final List<String> transformed = new CopyOnWriteArrayList<>();

  private final ClassFileTransformer transformer;

  /** A loader whose OkHttp and Okio classes pass through {@code transformer}. */
  public OkHttpLoader(ClassFileTransformer transformer) throws Exception {
    super(new URL[] {location(okhttp3.OkHttpClient.class), location(okio.Buffer.class)},
        OkHttpLoader.class.getClassLoader());
    this.transformer = transformer;
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (!name.startsWith("okhttp3.") && !name.startsWith("okio.")) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        loaded = define(name);
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  private Class<?> define(String name) throws ClassNotFoundException {
    String internal = name.replace('.', '/');
    try (InputStream in = getResourceAsStream(internal + ".class")) {
      if (in == null) {
        throw new ClassNotFoundException(name);
      }
      byte[] bytes = in.readAllBytes();
      byte[] changed = transformer.transform(this, internal, null, null, bytes);
      if (changed != null) {
        transformed.add(name);
        bytes = changed;
      }
      return defineClass(name, bytes, 0, bytes.length);
    } catch (IOException | IllegalClassFormatException e) {
      throw new ClassNotFoundException(name, e);
    }
  }

  /** A class of this loader's OkHttp, by name. */
  public Class<?> type(String name) {
    try {
      return loadClass(name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
