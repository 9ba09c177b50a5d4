package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import io.salvo.client.exception.MQBrokerException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.RemotingConnectException;
import io.salvo.client.exception.RemotingTimeoutException;
import io.salvo.client.exception.SalvoClientException;
import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import io.salvo.core.protocol.v1.Status;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorsTest {

  @ParameterizedTest(name = "status {0} -> {1}, retriable {2}")
  @CsvSource({
      "1007, MESSAGE_TOO_LARGE, false",
      "1002, INVALID_TOPIC, false",
      "1009, INVALID_QUEUE, false",
      "2001, TOPIC_NOT_FOUND, false",
      "2003, FENCED, false",
      "3001, STORE_UNAVAILABLE, true",
      "3004, SHUTTING_DOWN, true",
      "5000, INTERNAL, false",
      "4242, INTERNAL, false",
  })
  void mapsBrokerStatusesToBrokerExceptions(int number, ErrorCode code, boolean retriable) {
    Status status = Status.newBuilder().setCode(number).setMessage("detail from broker").build();
    MQBrokerException e = Errors.fromStatus(status, "b1:9876", "SendMessage to topic 'T' queue 0");
    assertEquals(code, e.errorCode());
    assertEquals(retriable, e.isRetriable());
    assertEquals("b1:9876", e.getBrokerAddr());
    assertTrue(e.getMessage().contains("detail from broker"), e.getMessage());
    assertTrue(e.getMessage().contains("topic 'T'"), e.getMessage());
    assertTrue(e.getMessage().contains("b1:9876"), e.getMessage());
  }

  @Test
  void namesAnUnknownErrorNumber() {
    MQBrokerException e = Errors.fromStatus(Status.newBuilder().setCode(4242).build(), "b", "x");
    assertTrue(e.getMessage().contains("4242"), e.getMessage());
  }

  @Test
  void okStatusIsOk() {
    assertTrue(Errors.isOk(Status.getDefaultInstance()));
    assertTrue(Errors.isOk(null));
    assertFalse(Errors.isOk(Status.newBuilder().setCode(3001).build()));
  }

  @Test
  void timeoutsBecomeRetriableTimeoutExceptions() {
    SalvoClientException e = Errors.fromFailure(new CompletionException(new TimeoutException()), "b:1", "Heartbeat",
        Duration.ofMillis(3000));
    assertInstanceOf(RemotingTimeoutException.class, e);
    assertEquals(ErrorCode.TIMEOUT, e.errorCode());
    assertTrue(e.isRetriable());
    assertTrue(e.getMessage().contains("3000 ms"), e.getMessage());

    SalvoClientException deadline = Errors.fromFailure(
        new StatusRuntimeException(io.grpc.Status.DEADLINE_EXCEEDED), "b:1", "x", Duration.ofSeconds(1));
    assertInstanceOf(RemotingTimeoutException.class, deadline);
  }

  @Test
  void transportFailuresBecomeRetriableConnectExceptions() {
    SalvoClientException e = Errors.fromFailure(new ExecutionException(new StatusRuntimeException(
        io.grpc.Status.UNAVAILABLE.withDescription("connection refused"))), "b:1", "SendMessage", Duration.ofSeconds(3));
    assertInstanceOf(RemotingConnectException.class, e);
    assertEquals(ErrorCode.BROKER_UNAVAILABLE, e.errorCode());
    assertTrue(e.isRetriable());
    assertTrue(e.getMessage().contains("b:1") && e.getMessage().contains("connection refused"), e.getMessage());

    assertInstanceOf(RemotingConnectException.class,
        Errors.fromFailure(new ConnectException("refused"), "b:1", "x", Duration.ofSeconds(1)));
  }

  @Test
  void clientExceptionsPassThroughAndValidationKeepsItsCode() {
    MQBrokerException broker = new MQBrokerException(ErrorCode.FENCED, "fenced", "b");
    assertSame(broker, Errors.fromFailure(new CompletionException(broker), "b", "x", Duration.ZERO));
    SalvoClientException v = Errors.fromFailure(SalvoException.of(ErrorCode.EMPTY_BODY), "b", "x", Duration.ZERO);
    assertInstanceOf(MQClientException.class, v);
    assertEquals(ErrorCode.EMPTY_BODY, v.errorCode());
  }
}
