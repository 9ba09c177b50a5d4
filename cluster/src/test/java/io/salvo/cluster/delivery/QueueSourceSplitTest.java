package io.salvo.cluster.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.salvo.cluster.delivery.QueueSource.Chunk;
import io.salvo.cluster.queue.StoredEntry;
import io.salvo.core.filter.MessageFilter;
import io.salvo.persistence.events.QueueEvent.MessageAppended;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueSourceSplitTest {

  private static StoredEntry entry(long offset, int bodyBytes) {
    return new StoredEntry(offset, new MessageAppended("0123456789abcdef0123456789abcdef", "", List.of(), Map.of(),
        new byte[bodyBytes], 0, "", 0, 0));
  }

  private static List<StoredEntry> entries(long from, int count, int bodyBytes) {
    List<StoredEntry> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(entry(from + i, bodyBytes));
    }
    return out;
  }

  private static List<String> shape(List<Chunk> pieces) {
    List<String> out = new ArrayList<>();
    for (Chunk c : pieces) {
      out.add(c.fromOffset() + "+" + c.entries().size() + "->" + c.nextOffset());
    }
    return out;
  }

  @Test
  void chunkWithinLimitsStaysWhole() {
    Chunk chunk = new Chunk(10, entries(10, 5, 100), 15);
    assertEquals(List.of("10+5->15"), shape(QueueSource.split(chunk, 32, 1 << 20)));
  }

  @Test
  void catchUpReadIsCutIntoPiecesOfTheBatchSize() {
    Chunk chunk = new Chunk(0, entries(0, 70, 100), 70);
    assertEquals(List.of("0+32->32", "32+32->64", "64+6->70"), shape(QueueSource.split(chunk, 32, 1 << 20)));
  }

  @Test
  void piecesStayUnderTheByteLimitButHoldAtLeastOneMessage() {
    // each entry is 1000 body bytes + id + overhead, ~1096: two fit in 2500, a third does not
    Chunk chunk = new Chunk(0, entries(0, 5, 1000), 5);
    assertEquals(List.of("0+2->2", "2+2->4", "4+1->5"), shape(QueueSource.split(chunk, 32, 2500)));
    Chunk large = new Chunk(7, entries(7, 2, 10_000), 9);
    assertEquals(List.of("7+1->8", "8+1->9"), shape(QueueSource.split(large, 32, 2500)));
  }

  @Test
  void filteredChunkKeepsCoveringTheSkippedOffsets() {
    // offsets 0..9 read, the filter kept 1, 4, 8: pieces cover 0..10 with no gap and no overlap
    Chunk chunk = new Chunk(0, List.of(entry(1, 10), entry(4, 10), entry(8, 10)), 10);
    assertEquals(List.of("0+2->5", "5+1->10"), shape(QueueSource.split(chunk, 2, 1 << 20)));
    Chunk nothingKept = new Chunk(3, List.of(), 9);
    assertEquals(List.of("3+0->9"), shape(QueueSource.split(nothingKept, 2, 1 << 20)));
  }

  @Test
  void sqlFilterKeepsMatchingPropertiesAndTagsAndTheChunkStillCoversEveryOffset() {
    List<StoredEntry> read = List.of(
        message(5, "TagA", Map.of("amount", "150", "region", "eu")),
        message(6, "TagB", Map.of("amount", "50", "region", "eu")),
        message(7, "", Map.of("amount", "x")),
        message(8, "vip", Map.of()));
    Chunk chunk = new Chunk(5, read, 9);
    Chunk kept = QueueSource.applyFilter(chunk,
        MessageFilter.parse(MessageFilter.Type.SQL92, "(region = 'eu' AND amount > 100) OR TAGS = 'vip'"));
    assertEquals(List.of(5L, 8L), kept.entries().stream().map(StoredEntry::offset).toList());
    assertEquals(5, kept.fromOffset());
    assertEquals(9, kept.nextOffset());
    Chunk none = QueueSource.applyFilter(chunk, MessageFilter.parse(MessageFilter.Type.SQL92, "amount < 0"));
    assertEquals(List.of("5+0->9"), shape(List.of(none)));
  }

  private static StoredEntry message(long offset, String tag, Map<String, String> properties) {
    return new StoredEntry(offset, new MessageAppended("0123456789abcdef0123456789abcdef", tag, List.of(), properties,
        new byte[10], 0, "", 0, 0));
  }
}
