# Shared by the dscsa-epcis golden cases (sourced by their cmd).
# ev VERSION EVENT ARGS...: write the document from stdin-items (file
# "items"), validate it with xmllint against the official XSD of VERSION
# (an independent validator) and with dscsa-epcis read --validate, and
# keep it as out-VERSION.xml.
export DSCSA_SCHEMAS="$TOP/schemas"
GCP="--gcp 7"
T1="--time 2026-12-01T08:00:00.000-05:00"
xsd() {
	case $1 in
	1.2) echo "$TOP/schemas/epcis-1.2/EPCglobal-epcis-1_2.xsd" ;;
	2.0) echo "$TOP/schemas/epcis-2.0/EPCglobal-epcis-2_0.xsd" ;;
	esac
}
ev() {
	v=$1
	shift
	dscsa-epcis "$@" --epcis "$v" < items > "out-$v.xml" || return $?
	xmllint --noout --nonet --schema "$(xsd "$v")" "out-$v.xml" 2>&1 |
	    sed "s|^out-$v.xml|EPCIS $v document|"
	dscsa-epcis read --validate "out-$v.xml" > "read-$v.txt" || return $?
}
# both versions; print the 1.2 document and the item lines read back
both() {
	cat > items
	ev 1.2 "$@" || return $?
	ev 2.0 "$@" || return $?
	cmp -s read-1.2.txt read-2.0.txt && echo "1.2 and 2.0 read back alike"
	cat out-1.2.xml
	cat read-1.2.txt
}
