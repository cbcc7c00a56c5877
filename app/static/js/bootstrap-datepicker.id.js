/* Indonesian words for FAB's vendored bootstrap-datepicker (it ships no locale files); the
   widget picks them with data-date-language="id" (app/views/display.py, DayPickerWidget). */
(function ($) {
  $.fn.datepicker.dates.id = {
    days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    daysShort: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
    daysMin: ["Mg", "Sn", "Sl", "Rb", "Km", "Jm", "Sb"],
    months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember"],
    monthsShort: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des"],
    today: "Hari ini",
    clear: "Kosongkan",
    format: "dd-mm-yyyy",
    weekStart: 1
  };
}(jQuery));
