package io.salvo.tests.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A main class run in its own JVM on the test classpath, its output lines collected as they come. */
public final class JavaProcess implements AutoCloseable {
  private final Process process;
  private final List<String> lines = new ArrayList<>(); // guarded by itself; output may run to 100,000s of lines
  private final Thread reader;

  private JavaProcess(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "output-of-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  public static JavaProcess start(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    cmd.addAll(List.of(args));
    try {
      return new JavaProcess(new ProcessBuilder(cmd).redirectErrorStream(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  public Process process() {
    return process;
  }

  /**
   * SIGKILL, a crash: the process finishes nothing. Returns once it has ended and everything it wrote has been read
   * (bounded). Use this, not {@code process().destroyForcibly()}: {@link Process#destroy} also closes our end of the
   * process's output, so lines it wrote just before (or, for SIGTERM, while shutting down) would be lost to the test.
   */
  public void kill() {
    process.toHandle().destroyForcibly();
    awaitExit();
  }

  /** SIGTERM: the process runs its shutdown hooks. Returns once it has ended and its output is read (bounded). */
  public void terminate() {
    process.toHandle().destroy();
    awaitExit();
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("process " + process.pid() + " did not end within 60 s of its signal");
      }
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for process " + process.pid(), e);
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
