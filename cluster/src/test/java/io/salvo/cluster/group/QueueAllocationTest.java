package io.salvo.cluster.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
}
