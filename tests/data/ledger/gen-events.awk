# usage: awk -v tag=T -v n=N [-v random=SEED] -f gen.awk: an EPCIS 1.2
# document of N commissioning events.  Serials are T-0, T-1, ... (sorted
# close together), or with random=SEED (a positive number) 12 random
# characters of [0-9A-Z] each, as a serialization line issues them.
BEGIN {
	a = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	if (random > 0)
		srand(random);
	printf "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\" creationDate=\"2026-01-01T00:00:00Z\"><EPCISBody><EventList>\n";
	for (i = 0; i < n; i++) {
		if (random > 0) {
			s = "";
			for (j = 0; j < 12; j++)
				s = s substr(a, int(rand() * 36) + 1, 1);
		} else
			s = tag "-" i;
		printf "<ObjectEvent><eventTime>2026-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:030001.0012345.%s</epc></epcList><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep><disposition>urn:epcglobal:cbv:disp:active</disposition></ObjectEvent>\n", s;
	}
	printf "</EventList></EPCISBody></epcis:EPCISDocument>\n";
}
