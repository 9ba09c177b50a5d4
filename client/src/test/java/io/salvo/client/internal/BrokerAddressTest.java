package io.salvo.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.salvo.core.error.ErrorCode;
import io.salvo.core.error.SalvoException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BrokerAddressTest {

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(delimiter = '|', value = {
      "localhost:9876|localhost:9876",
      "localhost|localhost:9876",
      "  host-a:1234 ; host_b:5678  |host-a:1234,host_b:5678",
      "10.0.0.1:10911;10.0.0.1:10911|10.0.0.1:10911",
      "a:1;;b:2;|a:1,b:2",
      "[::1]:9000|[::1]:9000",
      "[fe80::1]|[fe80::1]:9876",
  })
  void parsesAddressLists(String value, String expected) {
    List<BrokerAddress> parsed = BrokerAddress.parseList(value, 9876);
    assertEquals(List.of(expected.split(",")), parsed.stream().map(BrokerAddress::toString).toList());
  }

  @ParameterizedTest(name = "''{0}'' fails naming ''{1}''")
  @CsvSource(delimiter = '|', value = {
      "''|no address given",
      "' ; ; '|no address given",
      "localhost:abc|port 'abc'",
      "localhost:0|port '0'",
      "localhost:65536|port '65536'",
      "localhost:|port ''",
      ":9876|has no host",
      "local host:9876|character ' '",
      "http://h:1|has a scheme",
      "h/x:1|character '/'",
      "::1:9876|IPv6 host in brackets",
      "[::1|without a closing",
      "[::1]x|after ']'",
      "[zz]:1|invalid IPv6 host 'zz'",
  })
  void rejectsMalformedAddressesNamingTheValue(String value, String detail) {
    SalvoException e = assertThrows(SalvoException.class, () -> BrokerAddress.parseList(value, 9876));
    assertEquals(ErrorCode.BAD_REQUEST, e.code());
    assertTrue(e.getMessage().contains("'" + value + "'"), e.getMessage());
    assertTrue(e.getMessage().contains(detail), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void rejectsNull() {
    SalvoException e = assertThrows(SalvoException.class, () -> BrokerAddress.parseList(null, 9876));
    assertTrue(e.getMessage().contains("no address given"), e.getMessage());
  }
}
