package io.salvo.cluster.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import io.salvo.cluster.EntityTestKit;
import io.salvo.core.error.ErrorCode;
import io.salvo.persistence.events.GroupEvent;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A consumer outside the membership that assigned itself queues (a lite pull consumer's assign()) commits the group's
 * offsets of queues no member holds, and is fenced from a queue a member holds.
 */
class ManualAssignmentCommitTest {
  private static final ActorTestKit testKit = EntityTestKit.create();

  private EventSourcedBehaviorTestKit<ConsumerGroupEntity.Command, GroupEvent, ConsumerGroupEntity.State> group;

  @BeforeEach
  void fresh() {
    group = EventSourcedBehaviorTestKit.create(testKit.system(),
        ConsumerGroupEntity.create("G", Duration.ofMinutes(1)),
        EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyState(false));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aManualAssignmentCommitsOnlyQueuesThatNoMemberHolds() {
    assertInstanceOf(ConsumerGroupEntity.Committed.class, manualCommit(0, 42));
    assertEquals(42L, describe().offsets().get("T#0"));

    // a member joins the group and is granted T's queues
    group.<ConsumerGroupEntity.Assignment>runCommand(
        replyTo -> new ConsumerGroupEntity.Heartbeat("member", Map.of("T", 2), Set.of(), replyTo));
    ConsumerGroupEntity.CommitRejected fenced =
        assertInstanceOf(ConsumerGroupEntity.CommitRejected.class, manualCommit(0, 50));
    assertEquals(ErrorCode.FENCED, fenced.code());
    assertTrue(fenced.message().contains("queue T#0 of group 'G' is held by member 'member'"), fenced.message());
    assertTrue(fenced.message().contains("assigned it manually"), fenced.message());
    assertEquals(42L, describe().offsets().get("T#0"), "the fenced commit changed nothing");
  }

  private ConsumerGroupEntity.CommitReply manualCommit(int queue, long offset) {
    return group.<ConsumerGroupEntity.CommitReply>runCommand(
        replyTo -> new ConsumerGroupEntity.CommitManualOffset("puller", "T", queue, offset, replyTo)).reply();
  }

  private ConsumerGroupEntity.Description describe() {
    return group.<ConsumerGroupEntity.Description>runCommand(ConsumerGroupEntity.Describe::new).reply();
  }
}
