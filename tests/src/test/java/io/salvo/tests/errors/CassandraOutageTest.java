package io.salvo.tests.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.exception.SalvoClientException;
import io.salvo.client.exception.MQClientException;
import io.salvo.client.message.Message;
import io.salvo.client.producer.DefaultMQProducer;
import io.salvo.client.producer.SendResult;
import io.salvo.client.producer.SendStatus;
import io.salvo.core.error.ErrorCode;
import io.salvo.persistence.cassandra.EmbeddedCassandra;
import io.salvo.tests.harness.BrokerProcess;
import io.salvo.tests.harness.CassandraFixture;
import io.salvo.tests.harness.Eventually;
import io.salvo.tests.harness.Ports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With Cassandra stopped, a send fails within the send timeout with a clear unavailable error (not a hang), and
 * sends succeed again once Cassandra is back. Uses a Cassandra of its own, since it stops it.
 */
class CassandraOutageTest {

  @Test
  void sendsFailClearlyWhileCassandraIsDownAndRecoverAfter() throws Exception {
    EmbeddedCassandra cassandra = CassandraFixture.startFresh(Path.of("target", "cassandra", "outage"));
    BrokerProcess broker = null;
    DefaultMQProducer producer = new DefaultMQProducer("OutageProducers");
    try {
      broker = BrokerProcess.on(new CassandraFixture.Cassandra(cassandra, "outage"), "outage", Ports.free(), Map.of()).start();
      producer.setNamesrvAddr(broker.address());
      producer.setSendMsgTimeout(3000);
      producer.start();
      assertEquals(SendStatus.SEND_OK, producer.send(message("before")).getSendStatus());

      cassandra.stop();
      long started = System.nanoTime();
      Exception e = assertThrows(Exception.class, () -> producer.send(message("during")));
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      ErrorCode code = e instanceof SalvoClientException c ? c.errorCode() : null;
      System.out.printf("send with Cassandra down failed after %d ms: %s%n", tookMs, e.getMessage());
      assertEquals(ErrorCode.STORE_UNAVAILABLE, code, String.valueOf(e));
      assertTrue(e.getMessage().contains("message store did not acknowledge"), e.getMessage());
      assertTrue(tookMs < 3000 + 2000, "the failure took " + tookMs + " ms, beyond the 3 s send timeout");

      cassandra.start();
      SendResult after = Eventually.within(Duration.ofSeconds(90), () -> producer.send(message("after")));
      assertEquals(SendStatus.SEND_OK, after.getSendStatus());
    } finally {
      producer.shutdown();
      if (broker != null) {
        broker.stop();
      }
      cassandra.stop();
    }
  }

  private static Message message(String body) {
    return new Message("OutageTest", "A", body.getBytes(StandardCharsets.UTF_8));
  }
}
