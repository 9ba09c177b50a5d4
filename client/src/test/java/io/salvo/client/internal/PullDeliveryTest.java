package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.japi.Pair;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Source;
import io.salvo.client.message.MessageExt;
import io.salvo.client.message.MessageQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lite pull consumer's per-queue buffers, without streams: offers as a queue's stream makes them, polls. */
class PullDeliveryTest {
  private final PullDelivery delivery = new PullDelivery(5, "broker-a");

  @Test
  void aBatchThatDoesNotFitWaitsUntilAPollMakesRoom() {
    QueueConsumer q = queue("T", 0, 0);
    PullDelivery.QueueBuffer buffer = delivery.register(q);
    assertTrue(done(delivery.offer(buffer, messages(q, 0, 3))));
    CompletionStage<Done> second = delivery.offer(buffer, messages(q, 3, 3));
    assertFalse(done(second), "6 messages would be over the threshold of 5: the stream waits");

    assertEquals(List.of(0L, 1L), offsets(delivery.poll(0, 2)));
    assertTrue(done(second), "1 + 3 fit now");
    assertEquals(4, delivery.buffered("T", 0));
    assertEquals(List.of(2L, 3L, 4L, 5L), offsets(delivery.poll(0, 10)));
  }

  @Test
  void aBatchLargerThanTheThresholdIsTakenIntoAnEmptyBuffer() {
    QueueConsumer q = queue("T", 0, 0);
    PullDelivery.QueueBuffer buffer = delivery.register(q);
    assertTrue(done(delivery.offer(buffer, messages(q, 0, 8))));
    assertFalse(done(delivery.offer(buffer, messages(q, 8, 1))));
  }

  @Test
  void pollsTakeFromTheQueuesInTurn() {
    QueueConsumer a = queue("T", 0, 0);
    QueueConsumer b = queue("T", 1, 100);
    delivery.offer(delivery.register(a), messages(a, 0, 4));
    delivery.offer(delivery.register(b), messages(b, 100, 4));

    List<MessageExt> first = delivery.poll(0, 3);
    List<MessageExt> second = delivery.poll(0, 3);
    assertEquals(List.of(0L, 1L, 2L), offsets(first));
    assertEquals(List.of(100L, 101L, 102L), offsets(second), "the next poll starts at the next queue");
    assertEquals(List.of(3L, 103L), offsets(delivery.poll(0, 10)).stream().sorted().toList());
  }

  @Test
  void whatAPollReturnedIsConsumedOnlyOnceAcknowledged() {
    QueueConsumer q = queue("T", 0, 10);
    PullDelivery.QueueBuffer buffer = delivery.register(q);
    q.tracker().register(List.of(10L, 11L, 12L), 13);
    delivery.offer(buffer, messages(q, 10, 3));

    delivery.poll(0, 2);
    assertEquals(10, q.tracker().commitOffset(), "polled but not acknowledged");
    assertEquals(2, delivery.ackReturned());
    assertEquals(12, q.tracker().commitOffset(), "12 is still buffered");
    delivery.poll(0, 2);
    delivery.ackReturned();
    assertEquals(13, q.tracker().commitOffset());
  }

  @Test
  void aStoppingQueueDropsItsBufferAndReleasesItsWaitingStream() {
    QueueConsumer q = queue("T", 0, 0);
    PullDelivery.QueueBuffer buffer = delivery.register(q);
    delivery.offer(buffer, messages(q, 0, 5));
    CompletionStage<Done> waiting = delivery.offer(buffer, messages(q, 5, 5));
    assertFalse(done(waiting));

    delivery.stopping(q);
    assertTrue(done(waiting), "the stream may end");
    assertEquals(List.of(), delivery.poll(0, 10));
    assertTrue(done(delivery.offer(buffer, messages(q, 10, 1))), "what comes later is dropped at once");
    assertEquals(List.of(), delivery.poll(0, 10));
    assertEquals(Set.of(), delivery.assignment());
  }

  @Test
  void aNewConsumerOfTheQueueStartsWithAnEmptyBuffer() {
    QueueConsumer old = queue("T", 0, 0);
    PullDelivery.QueueBuffer oldBuffer = delivery.register(old);
    delivery.offer(oldBuffer, messages(old, 0, 3));

    // a seek: the old consumer stops, the new one starts at 42
    delivery.stopping(old);
    QueueConsumer seeked = queue("T", 0, 42);
    PullDelivery.QueueBuffer newBuffer = delivery.register(seeked);
    delivery.offer(oldBuffer, messages(old, 3, 1)); // the old stream's last element, late
    delivery.offer(newBuffer, messages(seeked, 42, 2));

    assertEquals(List.of(42L, 43L), offsets(delivery.poll(0, 10)));
    assertEquals(Set.of(new MessageQueue("T", "broker-a", 0)), delivery.assignment());
  }

  @Test
  void aPausedQueueIsSkippedUntilResumed() {
    QueueConsumer a = queue("T", 0, 0);
    QueueConsumer b = queue("T", 1, 100);
    delivery.offer(delivery.register(a), messages(a, 0, 2));
    delivery.offer(delivery.register(b), messages(b, 100, 2));
    delivery.pause("T", 0);

    assertEquals(List.of(100L, 101L), offsets(delivery.poll(0, 10)));
    assertEquals(List.of(), delivery.poll(0, 10));
    delivery.resume("T", 0);
    assertEquals(List.of(0L, 1L), offsets(delivery.poll(0, 10)));
  }

  @Test
  void aPollWaitsForTheFirstMessageAndCloseWakesIt() throws Exception {
    QueueConsumer q = queue("T", 0, 0);
    PullDelivery.QueueBuffer buffer = delivery.register(q);
    CompletableFuture<List<MessageExt>> polled = CompletableFuture.supplyAsync(() -> delivery.poll(10_000, 10));
    Thread.sleep(100);
    assertFalse(polled.isDone());
    delivery.offer(buffer, messages(q, 0, 1));
    assertEquals(List.of(0L), offsets(polled.get(5, TimeUnit.SECONDS)));

    CompletableFuture<List<MessageExt>> waiting = CompletableFuture.supplyAsync(() -> delivery.poll(10_000, 10));
    Thread.sleep(100);
    delivery.close();
    assertEquals(List.of(), waiting.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aPollWithNothingBufferedReturnsEmptyAfterItsTimeout() {
    long start = System.nanoTime();
    assertEquals(List.of(), delivery.poll(50, 10));
    assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));
  }

  @Test
  void anUnpolledQueuesStreamIsBackpressuredAtTheThresholdAndEndsWhenItStops() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "pull-delivery-test", ClientRuntime.config());
    try {
      QueueConsumer q = queue("T", 0, 0);
      AtomicInteger pulled = new AtomicInteger();
      Pair<UniqueKillSwitch, CompletionStage<Done>> running = Source.repeat(1)
          .map(i -> messages(q, pulled.getAndIncrement() * 2L, 2))
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(delivery.sink(q), Keep.both())
          .run(system);
      Thread.sleep(300);
      assertEquals(4, delivery.buffered("T", 0), "two batches of 2 fill the threshold of 5");
      assertTrue(pulled.get() <= 4, "pulled " + pulled.get() + " batches: the source waits, nothing piles up");

      assertEquals(List.of(0L, 1L, 2L, 3L), offsets(delivery.poll(0, 4)));
      Thread.sleep(300);
      assertEquals(4, delivery.buffered("T", 0), "refilled after the poll");
      assertTrue(pulled.get() <= 6, "pulled " + pulled.get());

      delivery.stopping(q);
      running.first().shutdown();
      running.second().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } finally {
      system.terminate();
    }
  }

  private static QueueConsumer queue(String topic, int queueId, long startOffset) {
    return new QueueConsumer("G", "client", topic, queueId, null, startOffset, null, null, null, null);
  }

  private static List<MessageExt> messages(QueueConsumer q, long from, int count) {
    List<MessageExt> out = new ArrayList<>();
    for (long o = from; o < from + count; o++) {
      MessageExt m = new MessageExt();
      m.setTopic(q.topic());
      m.setQueueId(q.queueId());
      m.setQueueOffset(o);
      out.add(m);
    }
    return out;
  }

  private static List<Long> offsets(List<MessageExt> messages) {
    return messages.stream().map(MessageExt::getQueueOffset).toList();
  }

  private static boolean done(CompletionStage<Done> stage) {
    return stage.toCompletableFuture().isDone();
  }
}
