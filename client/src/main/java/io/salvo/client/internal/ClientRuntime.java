package io.salvo.client.internal;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates a client's ActorSystem. The client is never a cluster member: its Akka settings are set here, in code,
 * over whatever the classpath's configuration says (a broker's configuration may be on the same classpath).
 */
public final class ClientRuntime {
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> CLIENT_COUNTS =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static final String AKKA_OVERRIDES = String.join("\n",
      "akka.actor.provider = local",
      "akka.extensions = []",
      "akka.loggers = [\"akka.event.slf4j.Slf4jLogger\"]",
      "akka.logging-filter = \"akka.event.slf4j.Slf4jLoggingFilter\"",
      "akka.stdout-loglevel = WARNING",
      "akka.log-dead-letters = off",
      "akka.log-dead-letters-during-shutdown = off",
      "akka.coordinated-shutdown.exit-jvm = off",
      "akka.coordinated-shutdown.terminate-actor-system = on",
      // A push consumer's stop on JVM exit (finish listener calls, commit) runs in this phase.
      "akka.coordinated-shutdown.phases.before-service-unbind.timeout = 20s",
      // Closing a connection waits this long for its open HTTP/2 streams. A client closes only after it has finished
      // or failed every request of its own, so what is left open then is a cancelled ReceiveMessages stream whose
      // end the broker has not sent yet; akka-http's default (3 s) made every consumer shutdown take 3 s more.
      "akka.http.client.http2.completion-timeout = 250ms");

  private ClientRuntime() {}

  /**
   * The configuration of a client ActorSystem: the overrides above, the size of its default dispatcher
   * ({@code salvo.client.dispatcher-threads}), then the application's configuration.
   */
  public static Config config() {
    Config application = ConfigFactory.load();
    int threads = application.getInt("salvo.client.dispatcher-threads");
    if (threads < 1) {
      throw new IllegalArgumentException("salvo.client.dispatcher-threads must be at least 1, was " + threads);
    }
    String dispatcher = "akka.actor.default-dispatcher.fork-join-executor { parallelism-min = " + threads
        + ", parallelism-max = " + threads + " }";
    return ConfigFactory.parseString(AKKA_OVERRIDES + "\n" + dispatcher).withFallback(application);
  }

  /** Starts an ActorSystem whose guardian is {@code guardian}, named {@code kind-group-n}. */
  public static <T> ActorSystem<T> start(Behavior<T> guardian, String kind, String group) {
    return ActorSystem.create(guardian, systemName(kind, group), config());
  }

  /** A legal ActorSystem name ([a-zA-Z0-9_-], starting with a letter or digit) made from a group name. */
  static String systemName(String kind, String group) {
    StringBuilder b = new StringBuilder(kind).append('-');
    for (char c : group.toCharArray()) {
      b.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          ? c : '_');
    }
    return b.append('-').append(INSTANCES.incrementAndGet()).toString();
  }

  /** This host's address as a born host, e.g. "10.0.0.5"; "127.0.0.1" when it cannot be found. */
  public static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostAddress();
    } catch (Exception e) {
      return "127.0.0.1";
    }
  }

  /**
   * A consumer's client id, {@code host@pid@instanceName@<kind><n>}: unique per process, {@code n} counting the
   * consumers of that kind ({@code ""} push, {@code "pull"}, {@code "stream-"}) started in this JVM.
   */
  public static String clientId(String instanceName, String kind) {
    int n = CLIENT_COUNTS.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    return localHost() + "@" + pid() + "@" + instanceName + "@" + kind + n;
  }

  /** This process's id. */
  public static long pid() {
    try {
      return ProcessHandle.current().pid();
    } catch (Exception e) {
      return ManagementFactory.getRuntimeMXBean().getName().hashCode();
    }
  }
}
