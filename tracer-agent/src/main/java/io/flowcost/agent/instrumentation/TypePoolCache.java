package io.flowcost.agent.instrumentation;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.pool.TypePool;

/**
 * ByteBuddy's type descriptions kept from one class's transformation to the next, per class
 * loader, so that a super type is located and parsed once rather than once for every class that
 * has it.
 *
 * <p>Why: a unit that matches by super type ({@code hasSuperType}, e.g. every LangChain4j class
 * implementing {@code ChatModel}) makes ByteBuddy walk the whole hierarchy of every class whose
 * name passes the unit's prefix. ByteBuddy's default pool starts empty for each class, so each
 * walk looked up every super type's class file through the class loader ({@code getResource}, a
 * search of the class path) and parsed it again: at an AI service's first invocation, about 400
 * LangChain4j classes load, and this was 60% of the agent's transformation time on the
 * application's thread.
 *
 * <p>Types are read header first (ByteBuddy's {@code LazinessMode.EXTENDED}): modifiers, super
 * class and interface names come from the class file's header, and the rest is parsed only when
 * asked for (a type that is transformed, or whose methods a transformation needs). With {@link
 * TypeMatchers}, a class that does not match is never parsed beyond its header, nor are its super
 * types.
 *
 * <p>The class being transformed is never taken from the cache (ByteBuddy's {@code
 * WithTypePoolCache} describes it from the bytes being loaded), a type not found is not kept (a
 * class generated later under that name is found then), and each loader's cache holds at most
 * {@value #MAX_TYPES} types: when full, it starts again empty, so its memory stays bounded however
 * many classes an application loads (a type read only to its header keeps its class file, a few
 * KB: a few MB at most per loader, about 1 MB after a LangChain4j AI service's first call).
 * Loaders are held weakly; use it with {@link AgentBuilder.LocationStrategy.ForClassLoader#WEAK}
 * so that the cached descriptions (which keep their class-file locator) do not hold their loader
 * either.
 */
public final class TypePoolCache extends AgentBuilder.PoolStrategy.WithTypePoolCache {

  /** Types kept per class loader before its cache starts again. */
  static final int MAX_TYPES = 1_000;

  /** Stands for the bootstrap loader ({@code null}), which a weak map cannot hold as a key. */
  private static final ClassLoader BOOTSTRAP = new ClassLoader(null) {};

  private final Map<ClassLoader, TypePool.CacheProvider> caches =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * A cache with ByteBuddy's fast reader mode (no method bodies, no debug information), reading
   * headers first.
   */
  public TypePoolCache() {
    super(TypePool.Default.ReaderMode.FAST, TypePool.Default.WithLazyResolution.LazinessMode.EXTENDED);
  }

  @Override
  protected TypePool.CacheProvider locate(ClassLoader loader) {
    return caches.computeIfAbsent(loader == null ? BOOTSTRAP : loader, l -> new Bounded());
  }

  /** How many class loaders have a cache (tests). */
  int loaders() {
    return caches.size();
  }

  /**
   * A cache of at most {@value #MAX_TYPES} resolved types, cleared when full; types not found are
   * not kept.
   */
  static final class Bounded implements TypePool.CacheProvider {
    private final Map<String, TypePool.Resolution> types = new ConcurrentHashMap<>();

    Bounded() {
      putObject();
    }

    @Override
    public TypePool.Resolution find(String name) {
      return types.get(name);
    }

    @Override
    public TypePool.Resolution register(String name, TypePool.Resolution resolution) {
      if (!resolution.isResolved()) {
        return resolution; // may be defined later (a generated class): look again next time
      }
      if (types.size() >= MAX_TYPES) {
        clear();
      }
      TypePool.Resolution earlier = types.putIfAbsent(name, resolution);
      return earlier != null ? earlier : resolution;
    }

    @Override
    public void clear() {
      types.clear();
      putObject();
    }

    /** How many types are kept (tests). */
    int size() {
      return types.size();
    }

    private void putObject() {
      // as ByteBuddy's own per-class pool: Object is described from the loaded class, never parsed
      types.put(Object.class.getName(), new TypePool.Resolution.Simple(TypeDescription.ForLoadedType.of(Object.class)));
    }
  }
}
