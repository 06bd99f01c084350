# usage: awk -v tag=T -v n=N -f gen.awk: an EPCIS 1.2 document of N commissioning events
BEGIN {
	printf "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" schemaVersion=\"1.2\" creationDate=\"2026-01-01T00:00:00Z\"><EPCISBody><EventList>\n";
	for (i = 0; i < n; i++)
		printf "<ObjectEvent><eventTime>2026-01-01T00:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:030001.0012345.%s-%d</epc></epcList><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep><disposition>urn:epcglobal:cbv:disp:active</disposition></ObjectEvent>\n", tag, i;
	printf "</EventList></EPCISBody></epcis:EPCISDocument>\n";
}
