// Package money is exact decimal money: ISO 4217 currencies with their
// minor units, and amounts as rationals rounded half away from zero to a
// currency's minor unit, as invoices and quotes are.
package money

import (
	"slices"
	"strings"
)

// currencies are the ISO 4217 codes of the currencies in use.
var currencies = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`
		AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
		CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
		GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
		LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
		NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
		STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG
		XOF XPF YER ZAR ZMW ZWG`) {
		m[c] = true
	}
	return m
}()

// Currency reports whether code is an ISO 4217 currency code in use.
func Currency(code string) bool { return currencies[code] }

// minorUnits are the currencies whose minor unit is not a hundredth.
var minorUnits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
	"UGX": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// Places is the number of decimals of a currency's minor unit: 2 for EUR,
// 0 for JPY, 3 for KWD.
func Places(code string) int {
	if n, ok := minorUnits[code]; ok {
		return n
	}
	return 2
}

// Codes are the currencies in use, in alphabetical order.
func Codes() []string {
	out := make([]string, 0, len(currencies))
	for c := range currencies {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}
