// art35 portal: tells the server the viewer's time zone, so times are
// shown in it as well as in UTC and the sender's zone. No other script
// is needed: htmx does the live inbox.
(function () {
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("art35_tz=" + tz) < 0) {
      document.cookie = "art35_tz=" + encodeURIComponent(tz) + "; path=/; SameSite=Strict; max-age=31536000";
    }
  } catch (e) { /* old browser: times stay in UTC */ }
})();
