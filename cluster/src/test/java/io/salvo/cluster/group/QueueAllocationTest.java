package io.salvo.cluster.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class QueueAllocationTest {

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(List.of("a"), 4, List.of(List.of(0, 1, 2, 3))),
        Arguments.of(List.of("a", "b"), 4, List.of(List.of(0, 1), List.of(2, 3))),
        Arguments.of(List.of("a", "b", "c"), 8, List.of(List.of(0, 1, 2), List.of(3, 4, 5), List.of(6, 7))),
        Arguments.of(List.of("a", "b", "c"), 2, List.of(List.of(0), List.of(1), List.of())),
        Arguments.of(List.of("a", "b"), 0, List.of(List.of(), List.of())));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void averageAllocationGivesEachQueueToExactlyOneMember(List<String> members, int queues, List<List<Integer>> expected) {
    List<List<Integer>> actual = new ArrayList<>();
    for (String m : members) {
      actual.add(QueueAllocation.averagely(members, queues, m));
    }
    assertEquals(expected, actual);
  }

  @ParameterizedTest
  @MethodSource("cases")
  void nonMembersGetNothing(List<String> members, int queues, List<List<Integer>> expected) {
    assertEquals(List.of(), QueueAllocation.averagely(members, queues, "stranger"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void stickyWithNoHoldersIsTheAverageAllocation(List<String> members, int queues, List<List<Integer>> expected) {
    assertEquals(expected, new ArrayList<>(QueueAllocation.sticky(members, queues, Map.of()).values()));
  }

  @Test
  void aJoiningMemberTakesQueuesWithoutMovingTheOthers() {
    // a holds 0-3, b holds 4-7 (averagely for two); c joins: a and b each give up one queue, nothing else moves
    Map<Integer, String> holders = new HashMap<>();
    for (int q = 0; q < 8; q++) {
      holders.put(q, q < 4 ? "a" : "b");
    }
    Map<String, List<Integer>> after = QueueAllocation.sticky(List.of("a", "b", "c"), 8, holders);
    assertEquals(List.of(0, 1, 2), after.get("a"));
    assertEquals(List.of(4, 5, 6), after.get("b"));
    assertEquals(List.of(3, 7), after.get("c"));
  }

  @Test
  void aLeavingMembersQueuesGoToTheOthersWhoKeepTheirs() {
    Map<Integer, String> holders = Map.of(0, "a", 1, "a", 2, "a", 3, "b", 4, "b", 5, "b", 6, "c", 7, "c");
    Map<String, List<Integer>> after = QueueAllocation.sticky(List.of("a", "c"), 8, holders);
    assertEquals(List.of(0, 1, 2, 3), after.get("a"));
    assertEquals(List.of(4, 5, 6, 7), after.get("c"));
  }

  @Test
  void randomHoldersAlwaysGiveEveryQueueToExactlyOneMemberInFairShares() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 500; round++) {
      int memberCount = 1 + random.nextInt(6);
      int queues = random.nextInt(20);
      List<String> members = new ArrayList<>();
      for (int i = 0; i < memberCount; i++) {
        members.add("m" + i);
      }
      Map<Integer, String> holders = new HashMap<>();
      for (int q = 0; q < queues + 3; q++) {
        if (random.nextBoolean()) {
          holders.put(q, "m" + random.nextInt(memberCount + 2)); // some holders are gone, some queues too
        }
      }
      Map<String, List<Integer>> out = QueueAllocation.sticky(members, queues, holders);
      TreeSet<Integer> all = new TreeSet<>();
      int min = Integer.MAX_VALUE;
      int max = 0;
      int kept = 0;
      for (Map.Entry<String, List<Integer>> e : out.entrySet()) {
        for (int q : e.getValue()) {
          assertTrue(all.add(q), "queue " + q + " given twice: " + out);
          if (e.getKey().equals(holders.get(q))) {
            kept++;
          }
        }
        min = Math.min(min, e.getValue().size());
        max = Math.max(max, e.getValue().size());
      }
      assertEquals(queues, all.size(), "every queue given: " + out);
      assertTrue(max - min <= 1, "fair shares: " + out);
      long keepable = holders.entrySet().stream()
          .filter(h -> h.getKey() < queues && members.contains(h.getValue())).count();
      long share = queues / memberCount + 1;
      long bound = 0;
      for (String m : members) {
        bound += Math.min(share, holders.entrySet().stream()
            .filter(h -> h.getKey() < queues && h.getValue().equals(m)).count());
      }
      assertTrue(kept >= Math.min(keepable, bound) - memberCount, "kept " + kept + " of " + keepable + ": " + out);
    }
  }
}
