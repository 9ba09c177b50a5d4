package io.salvo.tests.transaction;

import static io.salvo.tests.transaction.TransactionProducerProcess.body;
import static io.salvo.tests.transaction.TransactionProducerProcess.executed;
import static io.salvo.tests.transaction.TransactionProducerProcess.index;
import static io.salvo.tests.transaction.TransactionProducerProcess.outcome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.consumer.DefaultMQPushConsumer;
import io.salvo.client.consumer.listener.ConsumeConcurrentlyStatus;
import io.salvo.client.consumer.listener.MessageListenerConcurrently;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.Message;
import io.salvo.client.message.MessageExt;
import io.salvo.client.producer.LocalTransactionState;
import io.salvo.client.producer.TransactionListener;
import io.salvo.client.producer.TransactionMQProducer;
import io.salvo.client.producer.TransactionSendResult;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.model.MessageId;
import io.salvo.core.protocol.v1.EndTransactionRequest;
import io.salvo.core.protocol.v1.EndTransactionResponse;
import io.salvo.core.protocol.v1.PrepareTransactionRequest;
import io.salvo.core.protocol.v1.PrepareTransactionResponse;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.JavaProcess;
import io.salvo.tests.harness.Ports;
import io.salvo.tests.harness.RawClient;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 7, transactional messages: 1,000 transactions, a third committed, a third rolled back, a third left UNKNOW and
 * resolved by the broker's check-back, half of those by a second producer of the group after the first one (in its
 * own JVM, answering every check UNKNOW) was killed, across a SIGKILL and restart of the broker while transactions
 * are open. A consumer group sees exactly the committed ones. Also: a transaction nobody resolves is discarded after
 * max-checks, and the error cases. The broker's transaction timeout is 2 s, its check interval 1 s, 60 checks at most.
 */
@ExtendWith(CassandraFixture.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransactionTest {
  private static final int TRANSACTIONS = 1000;
  private static final int FIRST_PRODUCER = 500;
  private static final int MAX_CHECKS = 60;
  private static final Map<String, String> SETTINGS = Map.of(
      "salvo.broker.transaction.timeout", "2s",
      "salvo.broker.transaction.check-interval", "1s",
      "salvo.broker.transaction.max-checks", Integer.toString(MAX_CHECKS));

  private static CassandraFixture.Cassandra cassandra;
  private static int port;
  private static BrokerProcess broker;
  private static final List<BrokerProcess> brokers = new ArrayList<>();
  /** Transactions of a group with no producer left, prepared at the start: discarded after max-checks. */
  private static List<String> abandoned;

  @BeforeAll
  static void start(CassandraFixture.Cassandra c) throws Exception {
    cassandra = c;
    port = Ports.free();
    broker = BrokerProcess.on(cassandra, "broker-tx-1", port, SETTINGS).start();
    brokers.add(broker);
    TransactionMQProducer gone = producer("TxAbandonedProducers", new TransactionListener() {
      @Override
      public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
        return LocalTransactionState.UNKNOW;
      }

      @Override
      public LocalTransactionState checkLocalTransaction(MessageExt msg) {
        return LocalTransactionState.UNKNOW;
      }
    });
    abandoned = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      abandoned.add(gone.sendMessageInTransaction(
          new Message("TxAbandoned", "Tx", ("abandoned-" + i).getBytes(StandardCharsets.UTF_8)), null).getTransactionId());
    }
    gone.shutdown();
  }

  @AfterAll
  static void stop() {
    brokers.forEach(BrokerProcess::stop);
  }

  private static TransactionMQProducer producer(String group, TransactionListener listener) throws MQClientException {
    TransactionMQProducer producer = new TransactionMQProducer(group);
    producer.setNamesrvAddr(broker.address());
    producer.setSendMsgTimeout(10_000);
    producer.setTransactionListener(listener);
    producer.start();
    return producer;
  }

  @Test
  @Order(1)
  void consumersSeeExactlyTheCommittedTransactionsThroughAProducerKillAndABrokerRestart() throws Exception {
    String topic = "TxOrders";
    String group = "TxProducers";
    Map<String, Integer> seen = new ConcurrentHashMap<>();
    Map<String, Long> firstSeenAt = new ConcurrentHashMap<>();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("TxConsumers");
    consumer.setNamesrvAddr(broker.address());
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
      for (MessageExt m : msgs) {
        String b = new String(m.getBody(), StandardCharsets.UTF_8);
        seen.merge(b, 1, Integer::sum);
        firstSeenAt.putIfAbsent(b, System.currentTimeMillis());
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    long started = System.currentTimeMillis();
    Map<String, Long> preparedAt = new ConcurrentHashMap<>();
    Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    TransactionMQProducer second = null;
    JavaProcess first = JavaProcess.start(TransactionProducerProcess.class.getName(), broker.address(), group, topic,
        "0", Integer.toString(FIRST_PRODUCER));
    try {
      // 1. The first producer, in its own JVM, sends 500 transactions and answers every check UNKNOW; then it dies.
      Eventually.within(Duration.ofSeconds(120), () -> assertTrue(first.lines().contains("DONE"),
          "first producer not done: " + tail(first.lines())));
      Eventually.within(Duration.ofSeconds(20), () -> assertTrue(
          first.lines().stream().anyMatch(l -> l.startsWith("CHECKED ")), "the first producer was never checked"));
      first.kill();
      long killedAt = System.currentTimeMillis();
      int firstChecked = 0;
      for (String line : first.lines()) {
        String[] f = line.split(" ");
        if (f[0].equals("SENT")) {
          int i = Integer.parseInt(f[1]);
          assertEquals(executed(body(i)).name(), f[3], "local state of transaction " + i);
          preparedAt.put(body(i), Long.parseLong(f[4]));
        } else if (f[0].equals("CHECKED")) {
          firstChecked++;
        }
      }
      assertEquals(FIRST_PRODUCER, preparedAt.size(), "transactions the first producer sent");

      // 2. A second producer of the group answers the checks: at once for the first producer's transactions, for
      //    its own only after the broker restart (until then they stay open).
      AtomicBoolean restarted = new AtomicBoolean();
      AtomicInteger heldOpen = new AtomicInteger();
      AtomicInteger answered = new AtomicInteger();
      second = producer(group, new TransactionListener() {
        @Override
        public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
          return executed(new String(msg.getBody(), StandardCharsets.UTF_8));
        }

        @Override
        public LocalTransactionState checkLocalTransaction(MessageExt msg) {
          String b = new String(msg.getBody(), StandardCharsets.UTF_8);
          if (index(b) >= FIRST_PRODUCER && !restarted.get()) {
            heldOpen.incrementAndGet();
            return LocalTransactionState.UNKNOW;
          }
          answered.incrementAndGet();
          answeredAt.putIfAbsent(b, System.currentTimeMillis());
          return outcome(b);
        }
      });
      TransactionProducerProcess.sendAll(second, topic, FIRST_PRODUCER, TRANSACTIONS, (i, r) -> {
        assertEquals(executed(body(i)), r.getLocalTransactionState(), "local state of transaction " + i);
        assertEquals(r.getMsgId(), r.getTransactionId());
        assertEquals(-1, r.getQueueOffset());
        preparedAt.put(body(i), System.currentTimeMillis());
      });
      long sentAt = System.currentTimeMillis();

      // 3. The broker dies (SIGKILL) with the second producer's unknown transactions open, and comes back.
      Thread.sleep(2_500); // past the transaction timeout: the last ones are being checked too
      broker.kill();
      restarted.set(true);
      long restartedFrom = System.currentTimeMillis();
      broker = BrokerProcess.on(cassandra, "broker-tx-2", port, SETTINGS).start();
      brokers.add(broker);
      long restartedAt = System.currentTimeMillis();

      // 4. Every committed transaction reaches the consumers; every unknown one gets the second producer's answer.
      Set<String> committed = new HashSet<>();
      Set<String> unknown = new HashSet<>();
      for (int i = 0; i < TRANSACTIONS; i++) {
        if (outcome(body(i)) == LocalTransactionState.COMMIT_MESSAGE) {
          committed.add(body(i));
        }
        if (executed(body(i)) == LocalTransactionState.UNKNOW) {
          unknown.add(body(i));
        }
      }
      Eventually.within(Duration.ofSeconds(90), () -> {
        Set<String> missing = new HashSet<>(committed);
        missing.removeAll(seen.keySet());
        assertTrue(missing.isEmpty(), missing.size() + " committed not seen yet, e.g. " + first(missing));
        Set<String> unanswered = new HashSet<>(unknown);
        unanswered.removeAll(answeredAt.keySet());
        assertTrue(unanswered.isEmpty(), unanswered.size() + " unknown not checked yet, e.g. " + first(unanswered));
      });
      Thread.sleep(3_000); // anything wrongly delivered would show up by now
      long done = System.currentTimeMillis();

      Set<String> unexpected = new HashSet<>(seen.keySet());
      unexpected.removeAll(committed);
      assertEquals(Set.of(), unexpected, "delivered but not committed");
      assertEquals(committed, seen.keySet());
      long duplicates = seen.values().stream().filter(n -> n > 1).count();

      List<Long> checkBack = new ArrayList<>();
      List<Long> afterKill = new ArrayList<>();
      List<Long> afterRestart = new ArrayList<>();
      for (String b : unknown) {
        long answer = answeredAt.get(b);
        checkBack.add(answer - preparedAt.get(b));
        (index(b) < FIRST_PRODUCER ? afterKill : afterRestart).add(answer - (index(b) < FIRST_PRODUCER ? killedAt : restartedAt));
      }
      Collections.sort(checkBack);
      Collections.sort(afterKill);
      Collections.sort(afterRestart);
      long rolledBack = 0;
      for (int i = 0; i < TRANSACTIONS; i++) {
        rolledBack += outcome(body(i)) == LocalTransactionState.ROLLBACK_MESSAGE ? 1 : 0;
      }
      System.out.printf("transactions: %d (first producer %d, killed; second producer %d)%n", TRANSACTIONS,
          FIRST_PRODUCER, TRANSACTIONS - FIRST_PRODUCER);
      System.out.printf("  committed by the producer %d, rolled back by the producer %d, left UNKNOW %d"
              + " (resolved by check-back: %d commit, %d rollback)%n", TRANSACTIONS / 3 + 1, TRANSACTIONS / 3,
          unknown.size(), unknown.stream().filter(b -> b.endsWith("commit")).count(),
          unknown.stream().filter(b -> b.endsWith("rollback")).count());
      System.out.printf("  consumers saw %d distinct messages = the %d committed; rolled back or discarded seen: %d;"
          + " missing: 0; seen twice or more: %d%n", seen.size(), committed.size(), unexpected.size(), duplicates);
      System.out.printf("  total rolled back (never seen) %d%n", rolledBack);
      System.out.printf("  checks answered UNKNOW by the first producer before its kill: %d; answered UNKNOW by the"
          + " second while held open: %d; answered with an outcome by the second: %d%n", firstChecked, heldOpen.get(),
          answered.get());
      System.out.printf("  check-back, prepare to the resolving answer: p50 %d ms, max %d ms (all %d unknown)%n",
          percentile(checkBack, 50), percentile(checkBack, 100), checkBack.size());
      System.out.printf("  first producer's unknowns answered by the second after the kill: p50 %d ms, max %d ms%n",
          percentile(afterKill, 50), percentile(afterKill, 100));
      System.out.printf("  second producer's unknowns answered after the broker was back: p50 %d ms, max %d ms"
          + " (broker down and restarted in %d ms)%n", percentile(afterRestart, 50), percentile(afterRestart, 100),
          restartedAt - restartedFrom);
      System.out.printf("  scenario: %d ms (second producer's sends done at %d ms)%n", done - started,
          sentAt - started);
    } finally {
      first.close();
      if (second != null) {
        second.shutdown();
      }
      consumer.shutdown();
    }
  }

  @Test
  @Order(2)
  void rejectsWhatATransactionCannotDo() throws Exception {
    String group = "TxErrorProducers";
    TransactionMQProducer producer = producer(group, new TransactionListener() {
      @Override
      public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
        return LocalTransactionState.valueOf((String) arg);
      }

      @Override
      public LocalTransactionState checkLocalTransaction(MessageExt msg) {
        return LocalTransactionState.UNKNOW;
      }
    });
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      // Unknown transaction id.
      EndTransactionResponse unknown = end(raw, group, MessageId.next(), EndTransactionRequest.Resolution.COMMIT);
      assertEquals(ErrorCode.TRANSACTION_NOT_FOUND.number(), unknown.getStatus().getCode(), unknown.toString());

      // Commit again: OK with the same offset; rollback after commit: TRANSACTION_RESOLVED naming the state.
      TransactionSendResult committed = producer.sendMessageInTransaction(
          new Message("TxErrors", "Tx", "c".getBytes(StandardCharsets.UTF_8)), "COMMIT_MESSAGE");
      EndTransactionResponse again = end(raw, group, committed.getTransactionId(),
          EndTransactionRequest.Resolution.COMMIT);
      assertEquals(0, again.getStatus().getCode(), again.toString());
      assertTrue(again.getQueueOffset() >= 0, again.toString());
      EndTransactionResponse rollback = end(raw, group, committed.getTransactionId(),
          EndTransactionRequest.Resolution.ROLLBACK);
      assertEquals(ErrorCode.TRANSACTION_RESOLVED.number(), rollback.getStatus().getCode(), rollback.toString());
      assertTrue(rollback.getStatus().getMessage().contains("it is committed"), rollback.toString());

      // Commit after rollback.
      TransactionSendResult rolledBack = producer.sendMessageInTransaction(
          new Message("TxErrors", "Tx", "r".getBytes(StandardCharsets.UTF_8)), "ROLLBACK_MESSAGE");
      EndTransactionResponse commit = end(raw, group, rolledBack.getTransactionId(),
          EndTransactionRequest.Resolution.COMMIT);
      assertEquals(ErrorCode.TRANSACTION_RESOLVED.number(), commit.getStatus().getCode(), commit.toString());
      assertTrue(commit.getStatus().getMessage().contains("it is rolled back"), commit.toString());

      // Another group's id is not found.
      EndTransactionResponse otherGroup = end(raw, "SomeOtherGroup", rolledBack.getTransactionId(),
          EndTransactionRequest.Resolution.COMMIT);
      assertEquals(ErrorCode.TRANSACTION_NOT_FOUND.number(), otherGroup.getStatus().getCode(), otherGroup.toString());

      // A delayed message cannot be part of a transaction: the broker and the client say so.
      PrepareTransactionResponse delayed = RawClient.await(raw.client().prepareTransaction(
          PrepareTransactionRequest.newBuilder().setProducerGroup(group).setTopic("TxErrors").setQueueId(0)
              .setMessage(io.salvo.core.protocol.v1.Message.newBuilder().setTopic("TxErrors")
                  .setMessageId(MessageId.next()).setBody(ByteString.copyFromUtf8("d")).setDelayLevel(3))
              .build()));
      assertEquals(ErrorCode.INVALID_DELAY.number(), delayed.getStatus().getCode(), delayed.toString());
      assertTrue(delayed.getStatus().getMessage().contains("cannot be delayed"), delayed.toString());
      Message delayedMessage = new Message("TxErrors", "Tx", "d".getBytes(StandardCharsets.UTF_8));
      delayedMessage.setDelayTimeLevel(3);
      MQClientException clientSide = assertThrows(MQClientException.class,
          () -> producer.sendMessageInTransaction(delayedMessage, "COMMIT_MESSAGE"));
      assertEquals(ErrorCode.INVALID_DELAY, clientSide.errorCode());

      // No listener.
      TransactionMQProducer noListener = new TransactionMQProducer("TxNoListener");
      noListener.setNamesrvAddr(broker.address());
      noListener.start();
      try {
        MQClientException e = assertThrows(MQClientException.class, () -> noListener.sendMessageInTransaction(
            new Message("TxErrors", "Tx", "n".getBytes(StandardCharsets.UTF_8)), null));
        assertTrue(e.getMessage().contains("setTransactionListener"), e.getMessage());
      } finally {
        noListener.shutdown();
      }
    } finally {
      producer.shutdown();
    }
  }

  @Test
  @Order(3)
  void aTransactionNoProducerResolvesIsDiscardedAfterMaxChecks() throws Exception {
    Eventually.within(Duration.ofSeconds(150), () -> {
      String logs = logs();
      if (logs.isEmpty()) {
        throw new AssertionError("no broker log");
      }
      for (String id : abandoned) {
        assertTrue(logs.contains("transaction " + id + " of producer group TxAbandonedProducers discarded after "
            + MAX_CHECKS + " checks"), "not discarded yet: " + id);
      }
    });
    try (RawClient raw = new RawClient(broker.grpcPort())) {
      for (String id : abandoned) {
        EndTransactionResponse commit = end(raw, "TxAbandonedProducers", id, EndTransactionRequest.Resolution.COMMIT);
        assertEquals(ErrorCode.TRANSACTION_RESOLVED.number(), commit.getStatus().getCode(), commit.toString());
        assertTrue(commit.getStatus().getMessage().contains("discarded after " + MAX_CHECKS), commit.toString());
      }
    }
    System.out.printf("discarded after %d checks: %d abandoned transactions%n", MAX_CHECKS, abandoned.size());
  }

  private static EndTransactionResponse end(RawClient raw, String group, String id,
      EndTransactionRequest.Resolution resolution) {
    return RawClient.await(raw.client().endTransaction(EndTransactionRequest.newBuilder()
        .setProducerGroup(group).setTransactionId(id).setResolution(resolution).setClientId("raw").build()));
  }

  private static String logs() {
    StringBuilder all = new StringBuilder();
    for (BrokerProcess b : brokers) {
      try {
        if (Files.exists(b.logFile())) {
          all.append(Files.readString(b.logFile()));
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return all.toString();
  }

  private static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static String first(Set<String> s) {
    return s.isEmpty() ? "-" : s.iterator().next();
  }

  private static String tail(List<String> lines) {
    return lines.subList(Math.max(0, lines.size() - 10), lines.size()).toString();
  }
}
