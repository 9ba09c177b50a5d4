package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SilenceTimeoutTest {
  private static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "silence-timeout-test", ClientRuntime.config());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void aSilentUpstreamWithDemandFailsTheStream() {
    var result = Source.<Integer>maybe()
        .via(new SilenceTimeout<>(Duration.ofMillis(200)))
        .runWith(Sink.head(), system)
        .toCompletableFuture();
    ExecutionException e = assertThrows(ExecutionException.class, () -> result.get(10, TimeUnit.SECONDS));
    assertInstanceOf(TimeoutException.class, e.getCause());
  }

  @Test
  void aDownstreamThatHoldsBackLongerThanTheTimeoutDoesNotTripIt() throws Exception {
    // The throttle takes one element per 400 ms: between them it does not pull, and that wait must not count.
    List<Integer> got = Source.repeat(1)
        .via(new SilenceTimeout<>(Duration.ofMillis(100)))
        .throttle(1, Duration.ofMillis(400))
        .take(4)
        .runWith(Sink.seq(), system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(1, 1, 1, 1), got);
  }

  @Test
  void elementsCloserThanTheTimeoutKeepTheStreamAlive() throws Exception {
    List<String> got = Source.tick(Duration.ZERO, Duration.ofMillis(100), "tick")
        .via(new SilenceTimeout<>(Duration.ofMillis(500)))
        .take(6)
        .runWith(Sink.seq(), system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(6, got.size());
  }
}
