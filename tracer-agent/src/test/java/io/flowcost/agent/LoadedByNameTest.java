package io.flowcost.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.flowcost.agent.instrumentation.InstrumentationModule;
import io.flowcost.agent.instrumentation.Instrumentations;
import io.flowcost.agent.instrumentation.TypeInstrumentation;
import io.flowcost.agent.instrumentation.TypeNames;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/** {@link AgentInstaller.LoadedByName}: which loaded classes installOn considers. */
class LoadedByNameTest {

  private static Instrumentation loaded(Class<?>... classes) {
    return (Instrumentation) Proxy.newProxyInstance(Instrumentation.class.getClassLoader(),
        new Class<?>[] {Instrumentation.class}, (proxy, method, args) -> {
          if (method.getName().equals("getAllLoadedClasses")) {
            return classes;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  private static TypeNames defaultUnits() {
    List<TypeNames> names = new ArrayList<>();
    for (InstrumentationModule module : Instrumentations.all()) {
      for (TypeInstrumentation type : module.typeInstrumentations()) {
        names.add(TypeNames.of(type.types()));
      }
    }
    return TypeNames.union(names);
  }

  @Test
  void onlyLoadedClassesAUnitNamesAreOffered() {
    Iterable<Iterable<Class<?>>> batches = new AgentInstaller.LoadedByName(defaultUnits())
        .resolve(loaded(String.class, ThreadPoolExecutor.class, AgentInstaller.class,
            Integer.class, ForkJoinPool.class));
    List<Class<?>> offered = new ArrayList<>();
    batches.forEach(batch -> batch.forEach(offered::add));
    assertThat(offered).containsExactly(ThreadPoolExecutor.class, ForkJoinPool.class);
  }

  @Test
  void withAUnitThatDoesNotNameItsTypesEveryClassButTheAgentsIsOffered() {
    List<Class<?>> offered = new ArrayList<>();
    new AgentInstaller.LoadedByName(TypeNames.unbounded())
        .resolve(loaded(String.class, AgentInstaller.class, Integer.class))
        .forEach(batch -> batch.forEach(offered::add));
    assertThat(offered).containsExactly(String.class, Integer.class);
  }
}
