#!/bin/sh
# make demo: the end-to-end sample pipeline of a fill/finish contract
# manufacturer and a wholesaler (DESIGN.md section 1), on the tools in
# $BUILD/bin.  Everything it makes goes to $BUILD/demo.
set -eu
BUILD=${BUILD:-build}
top=$(pwd)
samples=$top/samples
PATH="$top/$BUILD/bin:$PATH"
export DSCSA_SCHEMAS="$top/schemas"
out=$top/$BUILD/demo
rm -rf "$out"
mkdir -p "$out"
cd "$out"

step() { printf '\n== %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; }

MFR_PLANT=urn:epc:id:sgln:0312345.00001.0
MFR=urn:epc:id:sgln:0312345.00000.0
WHS=urn:epc:id:sgln:0399999.00000.0
WHS_DC=urn:epc:id:sgln:0399999.00001.0
GTIN=00312345678906
EXP=$(date -u -d '+1 year' +%Y-%m-%d)

step "1. keys for the two trading partners, and the keyring both hold"
show "dscsa-ledger keygen example-pharma -o mfr.key"
dscsa-ledger keygen example-pharma -o mfr.key > /dev/null
dscsa-ledger keygen example-wholesale -o whs.key > /dev/null
cat > keyring <<EOT
# who may write to the shared ledger, and which GTINs each may commission
party example-pharma gln=0312345000004 role=manufacturer prefix=0312345 key=$(cat mfr.key.pub)
party example-wholesale gln=0399999000000 role=wholesaler prefix=0399999 key=$(cat whs.key.pub)
EOT
cat keyring

step "2. serialize a fill lot of 24 vials and 2 cases"
show "dscsa-serial -g $GTIN -l A1B2C3 -e $EXP -n 24 --registry serials.db > vials.txt"
dscsa-serial -g $GTIN -l A1B2C3 -e "$EXP" -n 24 --registry serials.db > vials.txt
dscsa-serial --sscc -g $GTIN --gcp-length 7 -n 2 --registry serials.db > cases.txt
head -n 3 vials.txt; echo "..."; cat cases.txt

step "3. the per-vial fill records ride along as attributes; vials go into cases"
awk -v OFS='\t' 'NR == FNR { c[NR] = $1; next }
    { printf "%s\tpos=%s%02d\tstopper_lot=ST-991\tglass_lot=GL-2207\toperator=jd\tparent=%s\n",
        $1, substr("ABCD", int((FNR - 1) / 6) + 1, 1), (FNR - 1) % 6 + 1, c[FNR <= 12 ? 1 : 2] }' \
    cases.txt vials.txt > filled.txt
head -n 2 filled.txt

step "4. every identifier checked against the DSCSA profile, shown in other forms"
show "dscsa-gs1 validate --profile dscsa filled.txt"
dscsa-gs1 validate --profile dscsa filled.txt && echo "24 of 24 valid"
show "dscsa-gs1 --to hri|dl|epc|scan"
head -n 1 vials.txt | dscsa-gs1 --to hri
head -n 1 vials.txt | dscsa-gs1 --to dl
head -n 1 vials.txt | dscsa-gs1 --to epc --gcp-length 7
head -n 1 vials.txt | dscsa-gs1 --to scan | od -An -c | head -n 2

step "5. labels, each one decoded again in memory before it counts (--check)"
show "dscsa-label -f png --hri right --check -o labels/ < vials.txt"
mkdir labels
dscsa-label -f png --hri right --check -o labels/ < vials.txt
echo "$(ls labels | wc -l) PNG labels in $out/labels"
head -n 1 vials.txt | dscsa-label -f zpl -o - > vial1.zpl
echo "ZPL II for a thermal printer:"; cat vial1.zpl; echo

step "6. commission, pack and ship as EPCIS 1.2; all three into the ledger"
dscsa-epcis commission --gcp 7 --location $MFR_PLANT --read-point $MFR_PLANT \
    < filled.txt > commission.xml
dscsa-epcis pack --gcp 7 --location $MFR_PLANT < filled.txt > pack.xml
dscsa-epcis ship --gcp 7 --masterdata "$samples/masterdata.txt" --statement \
    --sender $MFR --receiver $WHS \
    --from $MFR --from-location $MFR_PLANT --to $WHS --to-location $WHS_DC \
    --po PO-4711 --desadv ASN-0815 < cases.txt > shipment.xml
show "xmllint --noout --schema EPCglobal-epcis-1_2.xsd shipment.xml"
xmllint --noout --nonet --schema "$top/schemas/epcis-1.2/EPCglobal-epcis-1_2.xsd" \
    commission.xml pack.xml shipment.xml
show "dscsa-ledger append -k mfr.key -K keyring ledger.dsl commission.xml pack.xml shipment.xml"
dscsa-ledger append -k mfr.key -K keyring -O ledger.example-pharma.com/A1B2C3 \
    ledger.dsl commission.xml pack.xml shipment.xml

step "7. the wholesaler receives the shipment and appends its own event"
show "dscsa-epcis read --validate shipment.xml | cut -f1,2,5"
dscsa-epcis read --validate shipment.xml | cut -f1,2,5 | head -n 3
dscsa-epcis read shipment.xml | cut -f1 > received.txt
dscsa-epcis receive --gcp 7 --location $WHS_DC --from $MFR --to $WHS \
    --po PO-4711 < received.txt > receive.xml
dscsa-ledger append -k whs.key -K keyring ledger.dsl < receive.xml
show "dscsa-ledger show ledger.dsl"
dscsa-ledger show ledger.dsl | cut -f1,3,5 | head -n 12

step "8. a second copy of an event is refused; so is commissioning by a non-owner"
if dscsa-ledger append -k whs.key -K keyring ledger.dsl < receive.xml; then
	echo "demo: duplicate accepted" >&2; exit 1
fi
dscsa-serial -g $GTIN -l FAKE01 -e "$EXP" -n 2 |
    dscsa-epcis commission --gcp 7 --location $WHS_DC > counterfeit.xml
if dscsa-ledger append -k whs.key -K keyring ledger.dsl < counterfeit.xml; then
	echo "demo: commissioning by a non-owner accepted" >&2; exit 1
fi

step "9. anyone holding the ledger verifies every byte, signature and rule"
show "dscsa-ledger verify -K keyring ledger.dsl"
dscsa-ledger verify -K keyring ledger.dsl

step "10. a partner without the ledger checks one event: checkpoint + proof"
dscsa-ledger checkpoint ledger.dsl > checkpoint.txt
cat checkpoint.txt
id=$(dscsa-epcis hash shipment.xml | head -n 1 | cut -f1)
show "dscsa-ledger prove inclusion ledger.dsl $id > proof.txt"
dscsa-ledger prove inclusion ledger.dsl "$id" > proof.txt
show "dscsa-ledger check-proof -K keyring proof.txt"
dscsa-ledger check-proof -K keyring proof.txt

step "11. tampering is found: flip one byte of a copy"
cp ledger.dsl forged.dsl
size=$(wc -c < forged.dsl)
printf 'X' | dd of=forged.dsl bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
if dscsa-ledger verify -K keyring forged.dsl; then
	echo "demo: tampering not detected" >&2; exit 1
fi

printf '\ndemo: done; everything is in %s\n' "$out"
