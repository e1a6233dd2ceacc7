CREATE TABLE "edge_orders" (
	"client_order_id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ticker" text NOT NULL,
	"city" text NOT NULL,
	"event_date" text NOT NULL,
	"bracket_label" text NOT NULL,
	"side" text NOT NULL,
	"count" integer NOT NULL,
	"maker_price" integer NOT NULL,
	"volume_at_order" integer NOT NULL,
	"maker_timeout_ms" integer NOT NULL,
	"dry_run" boolean NOT NULL,
	"is_taker" boolean DEFAULT false NOT NULL,
	"converted_at" timestamp with time zone,
	"conversion_price" integer,
	"conversion_client_order_id" text
);
--> statement-breakpoint
CREATE TABLE "forecasts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "forecasts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"city" text NOT NULL,
	"target_date" text NOT NULL,
	"source" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"seen_at" timestamp with time zone NOT NULL,
	"high_tenths_f" integer NOT NULL,
	"spread_tenths_f" integer NOT NULL,
	"daily_high_tenths_f" integer,
	"hours_covered" integer,
	"peak_covered" boolean NOT NULL,
	"lead_minutes" integer NOT NULL,
	"origin" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "decisions" ADD COLUMN "details" jsonb;--> statement-breakpoint
ALTER TABLE "edge_orders" ADD CONSTRAINT "edge_orders_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "forecasts" ADD CONSTRAINT "forecasts_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "edge_orders_city_date_idx" ON "edge_orders" USING btree ("city","event_date");--> statement-breakpoint
CREATE INDEX "forecasts_city_date_idx" ON "forecasts" USING btree ("city","target_date","issued_at");