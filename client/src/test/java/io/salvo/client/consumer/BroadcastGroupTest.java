package io.salvo.client.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.core.validation.Validation;
import org.junit.jupiter.api.Test;

class BroadcastGroupTest {
  @Test
  void aMemberOwnGroupIsAValidNameStableForItsHostAndInstance() {
    String name = DefaultMQPushConsumer.broadcastGroup("Audit", "10.1.2.3", "node@7");
    assertEquals("Audit%BROADCAST%10_1_2_3_node_7", name);
    Validation.checkGroup(name);
    assertEquals(name, DefaultMQPushConsumer.broadcastGroup("Audit", "10.1.2.3", "node@7"));
    assertNotEquals(name, DefaultMQPushConsumer.broadcastGroup("Audit", "10.1.2.3", "node@8"));
  }

  @Test
  void longNamesEndInAHashOfTheMember() {
    String group = "G".repeat(200);
    String a = DefaultMQPushConsumer.broadcastGroup(group, "host", "i".repeat(100));
    String b = DefaultMQPushConsumer.broadcastGroup(group, "host", "j".repeat(100));
    assertTrue(a.length() <= Validation.GROUP_MAX_LENGTH, a);
    Validation.checkGroup(a);
    assertNotEquals(a, b);
  }
}
