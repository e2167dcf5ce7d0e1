/**
 * The currencies an invoice may be in: ISO 4217 List One's active codes (as amended to 2025),
 * lower-case as Stripe writes them. Three letters alone are not a currency: a code outside the
 * list would be refused by Stripe at push time, far from the request that brought it.
 *
 * Left out on purpose, though in the list: fund and accounting units that no one is invoiced in
 * (BOV CHE CHW CLF COU MXV USN UYI UYW XBA XBB XBC XBD XDR XSU XUA), precious metals (XAG XAU XPD
 * XPT), the test code XTS and "no currency" XXX. Withdrawn codes (HRK, ANG, SLL, ZWL…) are refused.
 */
const CODES = `
aed afn all amd aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob brl bsd btn bwp byn bzd
cad cdf chf clp cny cop crc cuc cup cve czk djf dkk dop dzd egp ern etb eur fjd fkp gbp gel ghs
gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr iqd irr isk jmd jod jpy kes kgs khr kmf kpw krw
kwd kyd kzt lak lbp lkr lrd lsl lyd mad mdl mga mkd mmk mnt mop mru mur mvr mwk mxn myr mzn nad
ngn nio nok npr nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sdg sek sgd
shp sle sos srd ssp stn svc syp szl thb tjs tmt tnd top try ttd twd tzs uah ugx usd uyu uzs ved
ves vnd vuv wst xaf xcd xcg xof xpf yer zar zmw zwg`;

export const CURRENCY_CODES: ReadonlySet<string> = new Set(CODES.trim().split(/\s+/));
