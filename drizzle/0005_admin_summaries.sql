CREATE TABLE "connection_event_counts" (
	"day" date NOT NULL,
	"type" text NOT NULL,
	"code" text DEFAULT '' NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "connection_event_counts_type_day_code_pk" PRIMARY KEY("type","day","code")
);
--> statement-breakpoint
CREATE TABLE "connection_status_counts" (
	"status" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "connection_status_counts_status_reason_pk" PRIMARY KEY("status","reason")
);
