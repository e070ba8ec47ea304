/* The date picker's month and weekday names in the UI's language.
 *
 * Dash 4's date picker formats with date-fns and takes its locale from
 * window.dateFns.locale (Dash's docs: load one from assets/). It would pick
 * the locale matching the browser's language; here the UI's own language
 * decides instead, read from the address at every call: the Chinese locale
 * below in the Chinese UI (2026年11月, 一 二 三 …), none in the English one
 * (?lang=en), so date-fns falls back to its built-in English.
 * Only what the picker formats is needed (month and weekday names); parsing
 * uses numeric dates only (display_format YYYY-MM-DD).
 */
(function () {
  "use strict";

  function byWidth(values, shift) {
    return function (index, options) {
      var width = (options && options.width) || "wide";
      return (values[width] || values.wide)[shift ? index - shift : index];
    };
  }

  function noMatch() {
    return null;
  }

  var zhCN = {
    code: "zh-CN",
    localize: {
      ordinalNumber: function (n) { return "第" + n; },
      era: byWidth({narrow: ["前", "公元"], abbreviated: ["前", "公元"], wide: ["公元前", "公元"]}),
      quarter: byWidth({narrow: ["1", "2", "3", "4"], abbreviated: ["第一季", "第二季", "第三季", "第四季"],
                        wide: ["第一季度", "第二季度", "第三季度", "第四季度"]}, 1),
      month: byWidth({
        narrow: ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"],
        abbreviated: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
        wide: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"]
      }),
      day: byWidth({
        narrow: ["日", "一", "二", "三", "四", "五", "六"],
        short: ["日", "一", "二", "三", "四", "五", "六"],
        abbreviated: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        wide: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"]
      }),
      dayPeriod: function (period) {
        return {am: "上午", pm: "下午", midnight: "凌晨", noon: "中午", morning: "早上", afternoon: "下午",
                evening: "晚上", night: "夜间"}[period];
      }
    },
    formatLong: {
      date: function () { return "yyyy-MM-dd"; },
      time: function () { return "HH:mm:ss"; },
      dateTime: function () { return "{{date}} {{time}}"; }
    },
    formatDistance: function (token, count) { return String(count); },
    formatRelative: function () { return "yyyy-MM-dd"; },
    match: {ordinalNumber: noMatch, era: noMatch, quarter: noMatch, month: noMatch, day: noMatch,
            dayPeriod: noMatch},
    options: {weekStartsOn: 1, firstWeekContainsDate: 4}
  };

  window.dateFns = window.dateFns || {};
  Object.defineProperty(window.dateFns, "locale", {
    configurable: true,
    get: function () {
      return new URLSearchParams(window.location.search).get("lang") === "en" ? {} : {zhCN: zhCN};
    }
  });
})();
