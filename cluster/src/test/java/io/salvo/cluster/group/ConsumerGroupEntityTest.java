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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The group's hand-over protocol: a queue taken from one member reaches the next only after the first released it,
 * so no queue is ever assigned to two members at once; commits are accepted only from the queue's holder.
 * (Journal: the persistence test kit; the protocol, not Cassandra, is under test here.)
 */
class ConsumerGroupEntityTest {
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
  void aQueueMovesToAJoiningMemberOnlyAfterItsHolderReleasedIt() {
    assertEquals(List.of(0, 1, 2, 3), queues(heartbeat("a")));

    // b joins: its share is T#2 and T#3, but a holds them
    assertEquals(List.of(), queues(heartbeat("b")));
    // a is told its share is now T#0 and T#1 (it keeps holding T#2 and T#3 while it stops them)
    assertEquals(List.of(0, 1), queues(heartbeat("a", 0, 1, 2, 3)));
    assertEquals(List.of(), queues(heartbeat("b")));

    // only the holder commits
    assertInstanceOf(ConsumerGroupEntity.Committed.class, commit("a", 3, 100));
    ConsumerGroupEntity.CommitReply fenced = commit("b", 3, 7);
    assertEquals(ErrorCode.FENCED, assertInstanceOf(ConsumerGroupEntity.CommitRejected.class, fenced).code());

    // a stopped T#2 but still has T#3: only T#2 moves
    assertEquals(List.of(0, 1), queues(heartbeat("a", 0, 1, 3)));
    ConsumerGroupEntity.Assignment b = heartbeat("b");
    assertEquals(List.of(2), queues(b));
    assertEquals(-1, b.queues().get(0).committedOffset());

    assertEquals(List.of(0, 1), queues(heartbeat("a", 0, 1)));
    ConsumerGroupEntity.Assignment b2 = heartbeat("b", 2);
    assertEquals(List.of(2, 3), queues(b2));
    assertEquals(100, b2.queues().get(1).committedOffset(), "b starts T#3 where a committed");
    assertInstanceOf(ConsumerGroupEntity.Committed.class, commit("b", 3, 120));
    assertEquals(ErrorCode.FENCED,
        assertInstanceOf(ConsumerGroupEntity.CommitRejected.class, commit("a", 3, 130)).code());

    ConsumerGroupEntity.Description d = describe();
    assertEquals(Map.of("T#0", "a", "T#1", "a", "T#2", "b", "T#3", "b"), d.grants());
    assertEquals(120L, d.offsets().get("T#3"));
  }

  @Test
  void aHeartbeatOvertakenByALaterOneReleasesNothing() {
    // a's heartbeat 1 (holding nothing) is slow; its retry, heartbeat 2, is handled first and grants a every queue
    assertEquals(List.of(0, 1, 2, 3), queues(sequenced("a", 2)));
    // b joins: T#2 and T#3 are now b's share, but a holds them
    assertEquals(List.of(), queues(sequenced("b", 1)));
    // the late heartbeat 1 lists nothing held: taken as is, it would release T#2 and T#3 while a consumes them
    sequenced("a", 1);
    assertEquals(Map.of("T#0", "a", "T#1", "a", "T#2", "a", "T#3", "a"), describe().grants());
    assertEquals(List.of(), queues(sequenced("b", 2)), "b gets nothing before a released it");
    // a's next heartbeat says it stopped T#2 and T#3: now they move
    assertEquals(List.of(0, 1), queues(sequenced("a", 3, 0, 1)));
    assertEquals(List.of(2, 3), queues(sequenced("b", 3)));
  }

  @Test
  void aLeavingMembersQueuesMoveAtTheNextHeartbeatOfTheOthers() {
    heartbeat("a");
    assertEquals(List.of(), queues(heartbeat("b")));
    group.<akka.Done>runCommand(replyTo -> new ConsumerGroupEntity.Leave("a", replyTo));
    assertEquals(List.of(0, 1, 2, 3), queues(heartbeat("b")));
    assertEquals(List.of("b"), describe().members());
    assertEquals(ErrorCode.FENCED,
        assertInstanceOf(ConsumerGroupEntity.CommitRejected.class, commit("a", 0, 1)).code());
    // leaving twice, or a group one never joined, is fine
    group.<akka.Done>runCommand(replyTo -> new ConsumerGroupEntity.Leave("a", replyTo));
  }

  @Test
  void grantsSurviveARestartOfTheEntity() {
    heartbeat("a");
    heartbeat("b");
    heartbeat("a", 0, 1, 2, 3);
    group.restart();
    // after recovery a still holds all four (it has not released any): b must still wait
    assertEquals(List.of(), queues(heartbeat("b")));
    assertInstanceOf(ConsumerGroupEntity.Committed.class, commit("a", 2, 5));
    assertEquals(List.of(0, 1), queues(heartbeat("a", 0, 1)));
    assertEquals(List.of(2, 3), queues(heartbeat("b")));
  }

  @Test
  void membersChurningInRandomOrderNeverShareAQueue() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    List<String> members = List.of("a", "b", "c", "d");
    Map<String, Set<Integer>> running = new java.util.HashMap<>();
    for (String m : members) {
      running.put(m, new HashSet<>());
    }
    for (int step = 0; step < 300; step++) {
      String m = members.get(random.nextInt(members.size()));
      // the member drops some of the queues it no longer has in its assignment, as a consumer does over time
      ConsumerGroupEntity.Assignment a = heartbeat(m, running.get(m).stream().mapToInt(Integer::intValue).toArray());
      Set<Integer> assigned = new HashSet<>(queues(a));
      Set<Integer> now = running.get(m);
      now.removeIf(q -> !assigned.contains(q) && random.nextBoolean());
      now.addAll(assigned);
      for (String other : members) {
        if (!other.equals(m)) {
          for (int q : now) {
            assertTrue(!running.get(other).contains(q),
                "step " + step + ": queue " + q + " run by " + m + " and " + other + ": " + running);
          }
        }
      }
    }
    // once everyone released what it was told to, the queues are spread evenly
    for (int round = 0; round < 3; round++) {
      for (String m : members) {
        ConsumerGroupEntity.Assignment a = heartbeat(m, running.get(m).stream().mapToInt(Integer::intValue).toArray());
        running.get(m).retainAll(queues(a));
        running.get(m).addAll(queues(a));
      }
    }
    for (String m : members) {
      assertEquals(1, running.get(m).size(), "evenly spread: " + running);
    }
  }

  private ConsumerGroupEntity.Assignment heartbeat(String member, int... held) {
    Set<String> heldIds = new HashSet<>();
    for (int q : held) {
      heldIds.add("T#" + q);
    }
    return group.<ConsumerGroupEntity.Assignment>runCommand(
        replyTo -> new ConsumerGroupEntity.Heartbeat(member, Map.of("T", 4), heldIds, replyTo)).reply();
  }

  /** A heartbeat with a sequence number, holding {@code held}. */
  private ConsumerGroupEntity.Assignment sequenced(String member, long sequence, int... held) {
    Set<String> heldIds = new HashSet<>();
    for (int q : held) {
      heldIds.add("T#" + q);
    }
    return group.<ConsumerGroupEntity.Assignment>runCommand(
        replyTo -> new ConsumerGroupEntity.Heartbeat(member, sequence, Map.of("T", 4), heldIds, replyTo)).reply();
  }

  private ConsumerGroupEntity.CommitReply commit(String member, int queue, long offset) {
    return group.<ConsumerGroupEntity.CommitReply>runCommand(
        replyTo -> new ConsumerGroupEntity.CommitOffset(member, 0, "T", queue, offset, replyTo)).reply();
  }

  private ConsumerGroupEntity.Description describe() {
    return group.<ConsumerGroupEntity.Description>runCommand(ConsumerGroupEntity.Describe::new).reply();
  }

  private static List<Integer> queues(ConsumerGroupEntity.Assignment assignment) {
    List<Integer> out = new ArrayList<>();
    for (ConsumerGroupEntity.QueueAssignment q : assignment.queues()) {
      out.add(q.queueId());
    }
    return out;
  }
}
