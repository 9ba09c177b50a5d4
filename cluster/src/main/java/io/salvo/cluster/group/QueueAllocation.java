package io.salvo.cluster.group;

import java.util.ArrayList;
import java.util.List;

/** Pure queue-allocation strategies of a consumer group. */
public final class QueueAllocation {
  private QueueAllocation() {}

  /**
   * RocketMQ's average allocation: members sorted by id split queues {@code 0..queueCount-1} into contiguous
   * ranges whose sizes differ by at most one, the first members taking the larger ranges. Returns the queues of
   * {@code member}, empty when it is not in {@code sortedMembers}.
   */
  public static List<Integer> averagely(List<String> sortedMembers, int queueCount, String member) {
    int index = sortedMembers.indexOf(member);
    List<Integer> out = new ArrayList<>();
    if (index < 0 || queueCount <= 0) {
      return out;
    }
    int members = sortedMembers.size();
    int base = queueCount / members;
    int extra = queueCount % members;
    int size = base + (index < extra ? 1 : 0);
    int start = index * base + Math.min(index, extra);
    for (int q = start; q < start + size; q++) {
      out.add(q);
    }
    return out;
  }
}
