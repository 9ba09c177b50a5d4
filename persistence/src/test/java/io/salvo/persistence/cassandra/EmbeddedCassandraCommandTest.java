package io.salvo.persistence.cassandra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The child JVM's command line: Salvo's defaults, then the configured JVM options. No Cassandra is started. */
class EmbeddedCassandraCommandTest {
  private static final Path YAML = Path.of("target/cmd-test/cassandra.yaml");
  private static final Path LOGBACK = Path.of("target/cmd-test/logback.xml");

  @Test
  void defaultsToG1() {
    List<String> cmd = EmbeddedCassandra.builder().dataDirectory(Path.of("target/cmd-test")).build()
        .command(YAML, LOGBACK);
    assertTrue(cmd.contains("-XX:+UseG1GC"), cmd.toString());
    assertTrue(cmd.contains("-Xmx768M"), cmd.toString());
  }

  @Test
  void jvmOptionsComeAfterTheDefaultsAndAGcOptionReplacesG1() {
    List<String> cmd = EmbeddedCassandra.builder().dataDirectory(Path.of("target/cmd-test"))
        .jvmOptions(List.of("-XX:+UseParallelGC", "-Xmx1G")).build()
        .command(YAML, LOGBACK);
    assertFalse(cmd.contains("-XX:+UseG1GC"), cmd.toString());
    int parallel = cmd.indexOf("-XX:+UseParallelGC");
    int heap = cmd.indexOf("-Xmx1G");
    assertTrue(parallel > cmd.indexOf("-Xmx768M") && heap > parallel, cmd.toString());
    assertEquals(heap + 1, cmd.indexOf("-cp"), cmd.toString());
  }

  @Test
  void rejectsSomethingThatIsNotAnOption() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EmbeddedCassandra.builder().jvmOptions(List.of("UseParallelGC")));
    assertTrue(e.getMessage().contains("UseParallelGC"), e.getMessage());
  }
}
