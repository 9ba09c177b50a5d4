package io.salvo.client.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.client.exception.MQClientException;
import io.salvo.client.exception.RemotingException;
import io.salvo.client.message.Message;
import io.salvo.core.error.ErrorCode;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class DefaultMQProducerTest {

  @Test
  void sendToAnUnreachableBrokerFailsWithRemotingExceptionWithinTheTimeout() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    DefaultMQProducer producer = new DefaultMQProducer("ProducerGroupName");
    producer.setNamesrvAddr("127.0.0.1:" + port);
    producer.setSendMsgTimeout(1500);
    producer.start();
    try {
      long start = System.nanoTime();
      RemotingException e = assertThrows(RemotingException.class,
          () -> producer.send(new Message("TopicTest", "TagA", "hi".getBytes())));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(e.isRetriable(), e.toString());
      assertTrue(millis < 5000, "took " + millis + " ms: " + e);
    } finally {
      producer.shutdown();
    }
  }

  @Test
  void rejectsAnOversizedBodyBeforeSendingWithTheBrokersCode() throws Exception {
    DefaultMQProducer producer = new DefaultMQProducer("ProducerGroupName");
    producer.setNamesrvAddr("127.0.0.1:1");
    producer.setMaxMessageSize(4);
    producer.start();
    try {
      MQClientException e = assertThrows(MQClientException.class,
          () -> producer.send(new Message("TopicTest", "TagA", new byte[5])));
      assertEquals(ErrorCode.MESSAGE_TOO_LARGE, e.errorCode());
    } finally {
      producer.shutdown();
    }
  }

  @Test
  void sendBeforeStartFailsNamingTheGroup() {
    DefaultMQProducer producer = new DefaultMQProducer("G1");
    MQClientException e = assertThrows(MQClientException.class,
        () -> producer.send(new Message("T", new byte[] {1})));
    assertTrue(e.getMessage().contains("'G1'") && e.getMessage().contains("not started"), e.getMessage());
  }
}
