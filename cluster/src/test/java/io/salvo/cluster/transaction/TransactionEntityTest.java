package io.salvo.cluster.transaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.receptionist.Receptionist;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.salvo.cluster.BrokerSettings.TransactionSettings;
import io.salvo.cluster.EntityTestKit;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.model.MessageId;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import io.salvo.persistence.events.TransactionEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The transaction state machine without a cluster: prepare, rollback, unknown, the conflicts, and the checks (through
 * the local receptionist) up to the discard. Commits append through the queue shards and are covered by
 * TransactionTest.
 */
class TransactionEntityTest {
  private static final ActorTestKit testKit = EntityTestKit.create();
  private static final String GROUP = "Producers";

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<TransactionEntity.Command, TransactionEvent, TransactionEntity.State>
      transaction(String id, TransactionSettings settings) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), TransactionEntity.create(id, null, settings, null),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  private static final TransactionSettings LONG = new TransactionSettings(Duration.ofMinutes(1), Duration.ofMinutes(1), 3);

  private static MessageAppended message(String id) {
    return new MessageAppended(id, "Tag", List.of(), Map.of(), "body".getBytes(StandardCharsets.UTF_8), 1L, "h", 0, 0);
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<TransactionEntity.Command, TransactionEvent,
      TransactionEntity.State, TransactionEntity.Reply> prepare(
      EventSourcedBehaviorTestKit<TransactionEntity.Command, TransactionEvent, TransactionEntity.State> tx, String id) {
    return tx.runCommand(replyTo -> new TransactionEntity.Prepare(GROUP, "T", 1, message(id), replyTo));
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<TransactionEntity.Command, TransactionEvent,
      TransactionEntity.State, TransactionEntity.Reply> end(
      EventSourcedBehaviorTestKit<TransactionEntity.Command, TransactionEvent, TransactionEntity.State> tx,
      String group, TransactionEntity.Resolution resolution) {
    return tx.runCommand(replyTo -> new TransactionEntity.End(group, resolution, false, "c", replyTo));
  }

  @Test
  void prepareJournalsTheHalfMessageOnceAndARetryIsOk() {
    String id = MessageId.next();
    var tx = transaction(id, LONG);
    var first = prepare(tx, id);
    assertEquals(1, first.events().size());
    assertInstanceOf(TransactionEvent.TransactionPrepared.class, first.events().get(0));
    assertEquals(new TransactionEntity.Accepted(-1), first.reply());
    var again = prepare(tx, id);
    assertTrue(again.events().isEmpty());
    assertEquals(new TransactionEntity.Accepted(-1), again.reply());
    assertEquals(TransactionEntity.Status.PREPARED, tx.getState().status());
  }

  @Test
  void rollbackDiscardsAndACommitAfterItIsRejectedNamingTheState() {
    String id = MessageId.next();
    var tx = transaction(id, LONG);
    prepare(tx, id);
    var rollback = end(tx, GROUP, TransactionEntity.Resolution.ROLLBACK);
    assertEquals(List.of(new TransactionEvent.RolledBack(false)), rollback.events());
    var commit = end(tx, GROUP, TransactionEntity.Resolution.COMMIT);
    assertTrue(commit.events().isEmpty());
    TransactionEntity.Rejected rejected = assertInstanceOf(TransactionEntity.Rejected.class, commit.reply());
    assertEquals(ErrorCode.TRANSACTION_RESOLVED.number(), rejected.code());
    assertTrue(rejected.message().contains("cannot be committed: it is rolled back"), rejected.message());
    assertEquals(new TransactionEntity.Accepted(-1), end(tx, GROUP, TransactionEntity.Resolution.ROLLBACK).reply());
    tx.restart();
    assertEquals(TransactionEntity.Status.ROLLED_BACK, tx.getState().status());
  }

  @Test
  void unknownChangesNothingAndAnotherGroupOrAnUnknownIdIsNotFound() {
    String id = MessageId.next();
    var tx = transaction(id, LONG);
    var notFound = end(tx, GROUP, TransactionEntity.Resolution.COMMIT);
    assertEquals(ErrorCode.TRANSACTION_NOT_FOUND.number(),
        assertInstanceOf(TransactionEntity.Rejected.class, notFound.reply()).code());
    prepare(tx, id);
    var unknown = end(tx, GROUP, TransactionEntity.Resolution.UNKNOWN);
    assertTrue(unknown.events().isEmpty());
    assertEquals(new TransactionEntity.Accepted(-1), unknown.reply());
    var otherGroup = end(tx, "Others", TransactionEntity.Resolution.ROLLBACK);
    assertEquals(ErrorCode.TRANSACTION_NOT_FOUND.number(),
        assertInstanceOf(TransactionEntity.Rejected.class, otherGroup.reply()).code());
    assertEquals(TransactionEntity.Status.PREPARED, tx.getState().status());
  }

  @Test
  void anUnresolvedTransactionIsCheckedWithALiveProducerThenDiscardedAfterMaxChecks() {
    String group = "Checked-" + MessageId.next();
    TestProbe<TransactionEntity.CheckTransaction> producer = testKit.createTestProbe();
    TestProbe<Receptionist.Registered> registered = testKit.createTestProbe();
    testKit.system().receptionist().tell(
        Receptionist.register(TransactionEntity.producersKey(group), producer.getRef(), registered.getRef()));
    registered.expectMessageClass(Receptionist.Registered.class);
    String id = MessageId.next();
    var tx = transaction(id, new TransactionSettings(Duration.ofMillis(200), Duration.ofMillis(200), 2));
    tx.<TransactionEntity.Reply>runCommand(replyTo -> new TransactionEntity.Prepare(group, "T", 1, message(id), replyTo));
    for (int n = 1; n <= 2; n++) {
      TransactionEntity.CheckTransaction check = producer.expectMessageClass(TransactionEntity.CheckTransaction.class,
          Duration.ofSeconds(5));
      assertEquals(id, check.transactionId());
      assertEquals(n, check.checkTimes());
      assertEquals("T", check.topic());
      assertEquals(1, check.queueId());
    }
    producer.awaitAssert(Duration.ofSeconds(5),
        () -> {
          assertEquals(TransactionEntity.Status.DISCARDED, tx.getState().status());
          return null;
        });
    producer.expectNoMessage(Duration.ofMillis(500));
    assertEquals(TransactionEntity.Status.DISCARDED, tx.getState().status());
    var commit = end(tx, group, TransactionEntity.Resolution.COMMIT);
    assertTrue(assertInstanceOf(TransactionEntity.Rejected.class, commit.reply()).message()
        .contains("discarded after 2 unanswered checks"));
  }
}
