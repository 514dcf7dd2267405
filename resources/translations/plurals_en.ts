<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AnalyticsPage</name>
    <message numerus="yes">
        <source>Last %n day(s)</source>
        <translation>
            <numerusform>Last %n day</numerusform>
            <numerusform>Last %n days</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CancelDialog</name>
    <message numerus="yes">
        <source>Cancel %n posting(s)? The buyer is told, and it counts against your rating.</source>
        <translation>
            <numerusform>Cancel %n posting? The buyer is told, and it counts against your rating.</numerusform>
            <numerusform>Cancel %n postings? The buyer is told, and it counts against your rating.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message numerus="yes">
        <source>%n posting(s) selected.</source>
        <translation>
            <numerusform>%n posting selected.</numerusform>
            <numerusform>%n postings selected.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HandoverPage</name>
    <message numerus="yes">
        <source>%n posting(s)</source>
        <translation>
            <numerusform>%n posting</numerusform>
            <numerusform>%n postings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ready</source>
        <translation>
            <numerusform>%n ready</numerusform>
            <numerusform>%n ready</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Carriage for %n posting(s) queued; its act prints when Ozon has made it</source>
        <translation>
            <numerusform>Carriage for %n posting queued; its act prints when Ozon has made it</numerusform>
            <numerusform>Carriage for %n postings queued; its act prints when Ozon has made it</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Our own act for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>Our own act for %n posting sent to the printer</numerusform>
            <numerusform>Our own act for %n postings sent to the printer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n posting(s) updated</source>
        <translation>
            <numerusform>%n posting updated</numerusform>
            <numerusform>%n postings updated</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>Your Ozon Api-Key expires on {date} (%n day(s) left). Create a new key in the Ozon seller cabinet and enter it in Settings.</source>
        <translation>
            <numerusform>Your Ozon Api-Key expires on {date} (%n day left). Create a new key in the Ozon seller cabinet and enter it in Settings.</numerusform>
            <numerusform>Your Ozon Api-Key expires on {date} (%n days left). Create a new key in the Ozon seller cabinet and enter it in Settings.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message numerus="yes">
        <source>Posting {number}: scan the items and their Честный ЗНАК codes — %n to go</source>
        <translation>
            <numerusform>Posting {number}: scan the items and their Честный ЗНАК codes — %n to go</numerusform>
            <numerusform>Posting {number}: scan the items and their Честный ЗНАК codes — %n to go</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Posting {number}: scan the items — %n to go</source>
        <translation>
            <numerusform>Posting {number}: scan the items — %n to go</numerusform>
            <numerusform>Posting {number}: scan the items — %n to go</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Resumed posting {number}: %n to go</source>
        <translation>
            <numerusform>Resumed posting {number}: %n to go</numerusform>
            <numerusform>Resumed posting {number}: %n to go</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ {name} — scan the Честный ЗНАК codes: %n missing</source>
        <translation>
            <numerusform>✓ {name} — scan the Честный ЗНАК codes: %n missing</numerusform>
            <numerusform>✓ {name} — scan the Честный ЗНАК codes: %n missing</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ {name} — %n to go</source>
        <translation>
            <numerusform>✓ {name} — %n to go</numerusform>
            <numerusform>✓ {name} — %n to go</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✗ %n unit(s) still need their Честный ЗНАК code — Ozon will not ship without</source>
        <translation>
            <numerusform>✗ %n unit still needs its Честный ЗНАК code — Ozon will not ship without</numerusform>
            <numerusform>✗ %n units still need their Честный ЗНАК code — Ozon will not ship without</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✗ %n unit(s) still to scan (F8 completes anyway, with a reason)</source>
        <translation>
            <numerusform>✗ %n unit still to scan (F8 completes anyway, with a reason)</numerusform>
            <numerusform>✗ %n units still to scan (F8 completes anyway, with a reason)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ Packed {number} in %n box(es), {label}; {skipped}. Scan the next posting</source>
        <translation>
            <numerusform>✓ Packed {number} in %n box, {label}; {skipped}. Scan the next posting</numerusform>
            <numerusform>✓ Packed {number} in %n boxes, {label}; {skipped}. Scan the next posting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) not scanned</source>
        <translation>
            <numerusform>%n unit not scanned</numerusform>
            <numerusform>%n units not scanned</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>✓ Packed {number} in %n box(es), {label}. Scan the next posting</source>
        <translation>
            <numerusform>✓ Packed {number} in %n box, {label}. Scan the next posting</numerusform>
            <numerusform>✓ Packed {number} in %n boxes, {label}. Scan the next posting</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sending everything packed; printing the ready labels (%n still wait for Ozon)</source>
        <translation>
            <numerusform>Sending everything packed; printing the ready labels (%n still waits for Ozon)</numerusform>
            <numerusform>Sending everything packed; printing the ready labels (%n still wait for Ozon)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Posting {number} is already on the desk — %n to go</source>
        <translation>
            <numerusform>Posting {number} is already on the desk — %n to go</numerusform>
            <numerusform>Posting {number} is already on the desk — %n to go</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message numerus="yes">
        <source>Cancelled by the buyer: %n posting(s)</source>
        <translation>
            <numerusform>Cancelled by the buyer: %n posting</numerusform>
            <numerusform>Cancelled by the buyer: %n postings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>New orders: %n</source>
        <translation>
            <numerusform>New orders: %n</numerusform>
            <numerusform>New orders: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more</source>
        <translation>
            <numerusform>and %n more</numerusform>
            <numerusform>and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OrdersPage</name>
    <message numerus="yes">
        <source>Postings: %Ln</source>
        <translation>
            <numerusform>Postings: %Ln</numerusform>
            <numerusform>Postings: %Ln</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Selected: %n</source>
        <translation>
            <numerusform>Selected: %n</numerusform>
            <numerusform>Selected: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n label(s) wait for Ozon and print when they arrive</source>
        <translation>
            <numerusform>%n label waits for Ozon and prints when it arrives</numerusform>
            <numerusform>%n labels wait for Ozon and print when they arrive</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Not possible for %n posting(s):</source>
        <translation>
            <numerusform>Not possible for %n posting:</numerusform>
            <numerusform>Not possible for %n postings:</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Confirmed: %n posting(s)</source>
        <translation>
            <numerusform>Confirmed: %n posting</numerusform>
            <numerusform>Confirmed: %n postings</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Pick list for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>Pick list for %n posting sent to the printer</numerusform>
            <numerusform>Pick list for %n postings sent to the printer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Labels for %n posting(s) sent to the printer</source>
        <translation>
            <numerusform>Labels for %n posting sent to the printer</numerusform>
            <numerusform>Labels for %n postings sent to the printer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cancelled: %n posting(s)</source>
        <translation>
            <numerusform>Cancelled: %n posting</numerusform>
            <numerusform>Cancelled: %n postings</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message numerus="yes">
        <source>%n unit(s) were not scanned. Why is the posting complete anyway?</source>
        <translation>
            <numerusform>%n unit was not scanned. Why is the posting complete anyway?</numerusform>
            <numerusform>%n units were not scanned. Why is the posting complete anyway?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PackingPage</name>
    <message numerus="yes">
        <source>Printing %n ready label(s) in packing order</source>
        <translation>
            <numerusform>Printing %n ready label in packing order</numerusform>
            <numerusform>Printing %n ready labels in packing order</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Nothing ready to print: %n label(s) still wait for Ozon</source>
        <translation>
            <numerusform>Nothing ready to print: %n label still waits for Ozon</numerusform>
            <numerusform>Nothing ready to print: %n labels still wait for Ozon</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n box(es)</source>
        <translation>
            <numerusform>%n box</numerusform>
            <numerusform>%n boxes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unit(s) not scanned (F8)</source>
        <translation>
            <numerusform>%n unit not scanned (F8)</numerusform>
            <numerusform>%n units not scanned (F8)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(%n scan(s) waiting)</source>
        <translation>
            <numerusform>(%n scan waiting)</numerusform>
            <numerusform>(%n scans waiting)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReceiveDialog</name>
    <message numerus="yes">
        <source>%n photo(s)</source>
        <translation>
            <numerusform>%n photo</numerusform>
            <numerusform>%n photos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReviewsTab</name>
    <message numerus="yes">
        <source>The same reply went to %n other review(s) in the last 30 days. Ozon penalises repeated answers: better write it in other words.</source>
        <translation>
            <numerusform>The same reply went to %n other review in the last 30 days. Ozon penalises repeated answers: better write it in other words.</numerusform>
            <numerusform>The same reply went to %n other reviews in the last 30 days. Ozon penalises repeated answers: better write it in other words.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message numerus="yes">
        <source>{date}: %n day(s) left. Create a new key in the Ozon seller cabinet.</source>
        <translation>
            <numerusform>{date}: %n day left. Create a new key in the Ozon seller cabinet.</numerusform>
            <numerusform>{date}: %n days left. Create a new key in the Ozon seller cabinet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>{date} (%n day(s) left)</source>
        <translation>
            <numerusform>{date} (%n day left)</numerusform>
            <numerusform>{date} (%n days left)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message numerus="yes">
        <source>Pending actions: %n</source>
        <translation>
            <numerusform>Pending actions: %n</numerusform>
            <numerusform>Pending actions: %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Conflicts: %n</source>
        <translation>
            <numerusform>Conflicts: %n</numerusform>
            <numerusform>Conflicts: %n</numerusform>
        </translation>
    </message>
</context>
</TS>
