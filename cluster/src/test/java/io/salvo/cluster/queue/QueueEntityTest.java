package io.salvo.cluster.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.salvo.cluster.EntityTestKit;
import io.salvo.cluster.BrokerSettings.QueueSettings;
import io.salvo.core.model.MessageId;
import io.salvo.core.model.QueueId;
import io.salvo.persistence.events.QueueEvent;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueueEntityTest {
  private static final ActorTestKit testKit = EntityTestKit.create();

  private static final QueueSettings SETTINGS = new QueueSettings(512, 4 * 1024 * 1024, 4, 1 << 20,
      Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1), 10_000);

  private EventSourcedBehaviorTestKit<QueueEntity.Command, QueueEvent, QueueState> queue;

  @BeforeEach
  void fresh() {
    queue = EventSourcedBehaviorTestKit.create(testKit.system(),
        QueueEntity.create(QueueId.of("T", 0), SETTINGS,
            QueueEntity.Store.journalOnly("127.0.0.1:9876", new WriteStats())),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void appendAssignsConsecutiveOffsetsFromZero() {
    assertEquals(0, append(3).firstOffset());
    assertEquals(3, append(1).firstOffset());
    assertEquals(4, append(2).firstOffset());
    assertEquals(6, offsets().nextOffset());
  }

  @Test
  void offsetsStayConsecutiveAcrossRestarts() {
    append(5);
    queue.restart();
    assertEquals(5, append(2).firstOffset());
    queue.restart();
    assertEquals(7, offsets().nextOffset());
    assertEquals(7, append(1).firstOffset());
  }

  @Test
  void oneJournalEventPerMessageWithItsStoreTimestamp() {
    long before = System.currentTimeMillis();
    var result = queue.<QueueEntity.Appended>runCommand(replyTo -> new QueueEntity.Append(messages(4), replyTo));
    List<MessageAppended> events = new ArrayList<>();
    for (QueueEvent e : result.events()) {
      events.add((MessageAppended) e);
    }
    assertEquals(4, events.size());
    for (MessageAppended e : events) {
      assertEquals(result.reply().storeTimestamp(), e.storeTimestamp());
    }
    assertEquals(true, result.reply().storeTimestamp() >= before);
  }

  @Test
  void readServesRecentMessagesFromMemoryAndOlderOnesFromTheJournal() {
    append(6);
    // The tail cache holds 4 messages: offsets 2..5.
    QueueEntity.ReadReply recent = read(2, 10);
    QueueEntity.Messages messages = assertInstanceOf(QueueEntity.Messages.class, recent);
    assertEquals(List.of(2L, 3L, 4L, 5L), messages.entries().stream().map(StoredEntry::offset).toList());

    QueueEntity.ReadReply old = read(0, 10);
    QueueEntity.NotInMemory notInMemory = assertInstanceOf(QueueEntity.NotInMemory.class, old);
    assertEquals(2, notInMemory.firstCachedOffset());
    assertEquals(6, notInMemory.nextOffset());
  }

  private QueueEntity.Appended append(int n) {
    return queue.<QueueEntity.Appended>runCommand(replyTo -> new QueueEntity.Append(messages(n), replyTo)).reply();
  }

  private QueueEntity.Offsets offsets() {
    return queue.<QueueEntity.Offsets>runCommand(QueueEntity.GetOffsets::new).reply();
  }

  private QueueEntity.ReadReply read(long from, int max) {
    return queue.<QueueEntity.ReadReply>runCommand(replyTo -> new QueueEntity.Read(from, max, replyTo)).reply();
  }

  private static List<MessageAppended> messages(int n) {
    List<MessageAppended> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new MessageAppended(MessageId.next(), "TagA", List.of("k" + i), Map.of("p", "v"),
          ("body " + i).getBytes(StandardCharsets.UTF_8), System.currentTimeMillis(), "127.0.0.1", 0, 0));
    }
    return out;
  }
}
