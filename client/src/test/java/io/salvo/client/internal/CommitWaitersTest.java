package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.exception.MQBrokerException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.core.error.ErrorCode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CommitWaitersTest {
  private static final PushConsumerActor.QueueKey Q0 = new PushConsumerActor.QueueKey("T", 0);
  private static final PushConsumerActor.QueueKey Q1 = new PushConsumerActor.QueueKey("T", 1);

  private final CommitWaiters waiters = new CommitWaiters();

  @Test
  void aCallerIsAnsweredOnceEveryQueueWasCommittedAtOrPastItsOffset() {
    CompletableFuture<List<SalvoClientException>> reply = new CompletableFuture<>();
    waiters.add(Map.of(Q0, 10L, Q1, 20L), reply);

    waiters.answered(Q0, 8, null); // an older commit that was in flight
    assertTrue(waiters.waitsFor(Q0));
    waiters.answered(Q0, 10, null);
    assertFalse(waiters.waitsFor(Q0));
    assertFalse(reply.isDone());
    waiters.answered(Q1, 25, null);
    assertEquals(List.of(), reply.join());
  }

  @Test
  void aFailedCommitIsReported() {
    CompletableFuture<List<SalvoClientException>> reply = new CompletableFuture<>();
    waiters.add(Map.of(Q0, 10L), reply);
    MQBrokerException fenced = new MQBrokerException(ErrorCode.FENCED, "fenced", "b");
    waiters.answered(Q0, 3, fenced);
    assertEquals(List.of(fenced), reply.join());
  }

  @Test
  void aQueueThatLeftIsOkOnlyWhenItsOffsetWasCommittedBefore() {
    CompletableFuture<List<SalvoClientException>> committed = new CompletableFuture<>();
    CompletableFuture<List<SalvoClientException>> behind = new CompletableFuture<>();
    waiters.add(Map.of(Q0, 10L), committed);
    waiters.add(Map.of(Q0, 12L), behind);
    MQClientException released = new MQClientException(ErrorCode.QUEUE_NOT_ASSIGNED, "released");
    waiters.gone(Q0, 10, released);
    assertEquals(List.of(), committed.join());
    assertEquals(List.of(released), behind.join());
  }

  @Test
  void nothingToCommitIsAnsweredAtOnceAndStoppingFailsTheRest() {
    CompletableFuture<List<SalvoClientException>> nothing = new CompletableFuture<>();
    waiters.add(Map.of(), nothing);
    assertEquals(List.of(), nothing.join());

    CompletableFuture<List<SalvoClientException>> pending = new CompletableFuture<>();
    waiters.add(Map.of(Q1, 5L), pending);
    MQClientException stopping = new MQClientException(ErrorCode.BAD_REQUEST, "stopping");
    waiters.failAll(stopping);
    assertEquals(List.of(stopping), pending.join());
  }
}
