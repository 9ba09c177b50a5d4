package io.salvo.cluster.group;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

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

  /**
   * Sticky average allocation: every member gets as many queues as {@link #averagely} would give some member (the
   * shares differ by at most one), but a member keeps the queues it holds now, up to its share, and only the rest
   * move. The larger shares go to the members holding the most queues now (then in {@code sortedMembers} order);
   * queues left over go, ascending, to the members below their share in {@code sortedMembers} order. With no current
   * holders the result is exactly {@link #averagely}'s. {@code holders}: queue id to the member holding it (entries
   * for other members or out-of-range queues are ignored). Returns every member's queues, ascending.
   */
  public static Map<String, List<Integer>> sticky(List<String> sortedMembers, int queueCount,
      Map<Integer, String> holders) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    Map<String, TreeSet<Integer>> held = new LinkedHashMap<>();
    for (String member : sortedMembers) {
      out.put(member, new ArrayList<>());
      held.put(member, new TreeSet<>());
    }
    if (sortedMembers.isEmpty() || queueCount <= 0) {
      return out;
    }
    holders.forEach((queue, member) -> {
      if (queue >= 0 && queue < queueCount && held.containsKey(member)) {
        held.get(member).add(queue);
      }
    });
    int base = queueCount / sortedMembers.size();
    int extra = queueCount % sortedMembers.size();
    List<String> byHeld = new ArrayList<>(sortedMembers);
    byHeld.sort(Comparator.comparingInt((String m) -> -held.get(m).size()).thenComparingInt(sortedMembers::indexOf));
    Map<String, Integer> share = new LinkedHashMap<>();
    for (int i = 0; i < byHeld.size(); i++) {
      share.put(byHeld.get(i), base + (i < extra ? 1 : 0));
    }
    TreeSet<Integer> free = new TreeSet<>();
    for (int q = 0; q < queueCount; q++) {
      free.add(q);
    }
    for (String member : sortedMembers) {
      for (int q : held.get(member)) {
        if (out.get(member).size() < share.get(member)) {
          out.get(member).add(q);
          free.remove(q);
        }
      }
    }
    for (String member : sortedMembers) {
      List<Integer> queues = out.get(member);
      while (queues.size() < share.get(member)) {
        queues.add(free.pollFirst());
      }
      queues.sort(null);
    }
    return out;
  }
}
