package io.salvo.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.MessageQueue;
import io.salvo.core.error.ErrorCode;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Misuse found by the client itself, with no broker. */
class DefaultLitePullConsumerTest {
  private static final MessageQueue Q0 = new MessageQueue("T", "b", 0);

  @Test
  void pollAndSeekBeforeStartAreRefused() {
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("G");
    assertBadRequest(consumer::poll, "not started: call start() first");
    assertBadRequest(() -> consumer.seek(Q0, 0), "not started");
    assertBadRequest(consumer::commitSync, "not started");
  }

  @Test
  void subscribeAndAssignAreMutuallyExclusive() throws Exception {
    DefaultLitePullConsumer subscribed = new DefaultLitePullConsumer("G");
    subscribed.subscribe("T", "*");
    assertBadRequest(() -> subscribed.assign(List.of(Q0)), "subscribe and assign are mutually exclusive");

    DefaultLitePullConsumer assigned = new DefaultLitePullConsumer("G");
    assigned.assign(List.of(Q0));
    assertBadRequest(() -> assigned.subscribe("T", "*"), "subscribe and assign are mutually exclusive");
    assertBadRequest(() -> assigned.assign(List.of()), "at least one queue");
  }

  @Test
  void badSettingsAreRefusedAtStart() {
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("G");
    consumer.setNamesrvAddr("127.0.0.1:9876");
    consumer.setPullBatchSize(0);
    assertBadRequest(consumer::start, "pullBatchSize 0 must be between 1 and 1024");
  }

  @Test
  void aStartedConsumerRefusesNegativeOffsetsATimeoutBelowZeroAndPollsAfterShutdown() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("G");
    consumer.setNamesrvAddr("127.0.0.1:" + port);
    consumer.start();
    try {
      assertEquals(List.of(), consumer.poll(10), "nothing assigned: nothing to poll");
      MQClientException e = assertThrows(MQClientException.class, () -> consumer.seek(Q0, -1));
      assertEquals(ErrorCode.INVALID_OFFSET, e.errorCode());
      assertTrue(e.getMessage().contains("invalid offset -1"), e.getMessage());
      assertBadRequest(() -> consumer.poll(-5), "poll timeout -5 ms must not be negative");
      assertBadRequest(consumer::start, "started before");
    } finally {
      consumer.shutdown();
    }
    assertBadRequest(consumer::poll, "shut down");
  }

  private static void assertBadRequest(Executable call, String detail) {
    MQClientException e = assertThrows(MQClientException.class, call);
    assertEquals(ErrorCode.BAD_REQUEST, e.errorCode(), e.toString());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
  }
}
